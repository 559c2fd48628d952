// The model behind the agent, for the three functions that reply (messages, chatkit, websocket). Kept
// out of wiring.ts: the provider SDKs (openai, Bedrock Runtime) are large, and no other function
// should load them at cold start.
import { createStreamingModel } from '../adapters/models/model-factory';
import { loadModelConfig } from '../config';
import { traced } from './tracing';
import { once } from './wiring';

export const replyModel = once(() => createStreamingModel(loadModelConfig(process.env), process.env, traced));
