// The API's shapes, from the types generated out of the OpenAPI document (client/api-types.ts).
import type { components } from '../../client/api-types';

type Schemas = components['schemas'];
export type Thread = Schemas['Thread'];
export type Item = Schemas['Item'];
export type Task = Schemas['Task'];
export type ApiKey = Schemas['ApiKey'];
export type Me = Schemas['Profile'];
export type Budget = Schemas['Budget'];
export type DayUsage = Schemas['DayUsage'];
export type RankedUser = Schemas['RankedUser'];
/** Stream events, the same on SSE and WebSocket. */
export type StreamEvent = Schemas['MessageStreamEvent'];

/** `X-Page-Context`: where the user is, for the agent's replies; never used for authorization. */
export interface PageContext {
  page?: string;
  title?: string;
  taskId?: string;
}
