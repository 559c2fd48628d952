// A REST API proxy event as API Gateway hands it to a function, for handler tests without a gateway.
import type { APIGatewayProxyEvent } from 'aws-lambda';

export const proxyEvent = (resource: string): APIGatewayProxyEvent =>
  ({
    resource,
    path: resource,
    httpMethod: 'GET',
    headers: {},
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: { requestId: 'r1', identity: { sourceIp: '127.0.0.1' } },
    body: null,
    isBase64Encoded: false,
  }) as unknown as APIGatewayProxyEvent;
