// The API's shapes the page uses (API.md). Replaced by the generated OpenAPI types once available.

export interface Thread {
  id: string;
  title: string;
  createdAt: string;
  updatedAt: string;
}

export interface Item {
  id: string;
  threadId: string;
  type: 'user_message' | 'assistant_message' | 'tool_call' | 'notice';
  content: string;
  createdAt: string;
}

export interface Task {
  id: string;
  title: string;
  status: 'open' | 'done';
  dueDate: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ApiKey {
  id: string;
  name: string;
  readOnly: boolean;
  enabled: boolean;
  createdAt: string;
  lastUsedAt?: string | null;
}

export interface Me {
  userId: string;
  roles: string[];
  authMethod: string;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** Stream events, the same on SSE and WebSocket. */
export type StreamEvent =
  | { type: 'item.added'; item: Item }
  | { type: 'text.delta'; itemId: string; delta: string }
  | { type: 'item.done'; item: Item }
  | { type: 'error'; code: string; message: string };

/** `X-Page-Context`: where the user is, for the agent's replies; never used for authorization. */
export interface PageContext {
  page?: string;
  title?: string;
  taskId?: string;
}
