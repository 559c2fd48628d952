// DynamoDB's own error answers for requests the local IAM wall refuses: status 400, a JSON body
// with `__type` and the message. Authentication and authorization errors come from AWS's
// request layer, so their `__type` is `com.amazon.coral.service#…`, and an AccessDeniedException
// spells its message field `Message`, as DynamoDB answers them (for example
// https://github.com/baopham/laravel-dynamodb/issues/228 and
// https://github.com/sebdah/dynamic-dynamodb/issues/321); the SDK reads either casing.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
import type { SigV4Failure } from './sigv4-verify';

export interface DynamoError {
  readonly status: 400;
  readonly body: string;
}

const coral = (type: string, message: string, field: 'message' | 'Message' = 'message'): DynamoError => ({
  status: 400,
  body: JSON.stringify({ __type: `com.amazon.coral.service#${type}`, [field]: message }),
});

export const SIGNATURE_ERRORS: Record<SigV4Failure, DynamoError> = {
  MissingAuthenticationToken: coral('MissingAuthenticationTokenException', 'Request is missing Authentication Token'),
  IncompleteSignature: coral('IncompleteSignatureException', 'The request signature does not conform to AWS standards.'),
  UnrecognizedClient: coral('UnrecognizedClientException', 'The security token included in the request is invalid.'),
  InvalidSignature: coral(
    'InvalidSignatureException',
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  ),
  SignatureExpired: coral('InvalidSignatureException', 'Signature expired: the request time is more than 15 minutes from the server time.'),
  ExpiredToken: coral('ExpiredTokenException', 'The security token included in the request is expired'),
};

export const accessDenied = (message: string): DynamoError => coral('AccessDeniedException', message, 'Message');
