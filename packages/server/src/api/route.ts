import type { ParameterizedContext } from 'koa';
import type { z } from 'zod';
import type { RateLimitRule } from '../middleware/rate-limit.js';

/** HTTP methods the API uses. */
export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** One documented response of a route. */
export interface ResponseSpec {
  description: string;
  /** JSON body schema; omit for empty bodies or non-JSON content. */
  schema?: z.ZodType;
  /** Content type when it is not JSON (e.g. `text/html`, `audio/wav`). */
  contentType?: string;
}

/** The validated input a handler receives. */
export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
}

/** What a handler returns: a status and a body the presenter serializes. */
export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * A route, declared once: the router and the OpenAPI document are both built from it, so the
 * published contract cannot drift from what is served. The pipeline for every route is
 * rate limit → auth → validate → handler → presenter.
 */
export interface RouteSpec<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> {
  method: HttpMethod;
  /** Router path, e.g. `/api/tracks/:id`. */
  path: string;
  summary: string;
  tags?: string[];
  /** Who may call it: anyone, or a signed-in user (session cookie or bearer token). */
  auth: 'public' | 'user';
  rateLimit?: RateLimitRule;
  params?: P;
  query?: Q;
  body?: B;
  /**
   * A request body the handler reads itself (e.g. `multipart/form-data` uploads), documented in
   * the OpenAPI document with this content type and an optional JSON description of its fields.
   */
  rawBody?: { contentType: string; description: string; fields?: Record<string, string> };
  responses: Record<number, ResponseSpec>;
  handler(
    ctx: ParameterizedContext,
    input: RouteInput<z.output<P>, z.output<Q>, z.output<B>>,
  ): Promise<RouteResult> | RouteResult;
}

/** Declares a route with its types inferred from the schemas. */
export function defineRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
  spec: RouteSpec<P, Q, B>,
): RouteSpec<P, Q, B> {
  return spec;
}
