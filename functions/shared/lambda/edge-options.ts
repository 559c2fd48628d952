// The edge options every REST function uses, built once per cold start from the environment.
import { loadHttpConfig } from '../config';
import type { HttpHandlerOptions } from './http-handler';

export function edgeOptions(env: Record<string, string | undefined> = process.env): HttpHandlerOptions {
  return { corsOrigins: loadHttpConfig(env).corsOrigins };
}
