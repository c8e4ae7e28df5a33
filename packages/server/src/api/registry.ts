import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { Middleware, ParameterizedContext } from 'koa';
import { type ZodError, type ZodType, z } from 'zod';
import { HttpError } from '../http-error.js';
import { type RateLimitStore, rateLimit } from '../middleware/rate-limit.js';
import type { RouteSpec } from './route.js';
import { controlCharacterAt } from './text-input.js';

/** Resolves the caller for routes with `auth: 'user'`; throws `unauthenticated` otherwise. */
export type Authenticate = (ctx: ParameterizedContext) => Promise<void>;

/** The error body every failing request gets. */
export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});

/** Options for building the API router. */
export interface ApiRouterOptions {
  authenticate: Authenticate;
  rateLimitStore: RateLimitStore;
  /** Largest JSON body accepted, in bytes. Default 1 MiB. */
  jsonLimitBytes?: number;
}

/** Collects route declarations and builds the router and the OpenAPI document from them. */
export class ApiRegistry {
  private readonly routes: RouteSpec[] = [];

  /** Adds routes. */
  add(...specs: RouteSpec<ZodType, ZodType, ZodType>[]): this {
    this.routes.push(...(specs as RouteSpec[]));
    return this;
  }

  /** Every declared route. */
  list(): readonly RouteSpec[] {
    return this.routes;
  }

  /** A router serving every route through rate limit → auth → validate → handler → presenter. */
  router(options: ApiRouterOptions): Router {
    const router = new Router();
    const json = bodyParser({
      enableTypes: ['json'],
      jsonLimit: options.jsonLimitBytes ?? 1024 * 1024,
      onError: (error) => {
        const tooLarge = (error as { status?: number }).status === 413;
        throw tooLarge
          ? new HttpError(413, 'payload_too_large', 'request body is too large')
          : new HttpError(400, 'invalid_input', 'request body is not valid JSON');
      },
    });
    for (const spec of this.routes) {
      const chain: Middleware[] = [];
      if (spec.rateLimit) chain.push(rateLimit(spec.rateLimit, options.rateLimitStore));
      if (spec.auth === 'user') {
        chain.push(async (ctx, next) => {
          await options.authenticate(ctx);
          await next();
        });
      }
      if (spec.body) chain.push(json);
      chain.push(async (ctx) => {
        const input = {
          params: parse(spec.params, ctx.params, 'params'),
          query: parse(spec.query, ctx.query, 'query'),
          body: parse(spec.body, (ctx.request as { body?: unknown }).body, 'body'),
        };
        const result = await spec.handler(ctx, input);
        if (result.headers) ctx.set(result.headers);
        ctx.status = result.status;
        if (result.body !== undefined) ctx.body = result.body;
      });
      router.register(spec.path, [spec.method.toUpperCase()], chain);
    }
    return router;
  }
}

function parse(schema: ZodType | undefined, value: unknown, where: string): unknown {
  // Checked for every route, whether or not it declares this part: nothing with a control
  // character gets past the HTTP layer.
  const dirty = controlCharacterAt(value, where);
  if (dirty) {
    throw new HttpError(400, 'validation_failed', `${dirty}: control characters are not allowed`);
  }
  if (!schema) return undefined;
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    throw new HttpError(400, 'validation_failed', describeIssues(result.error, where));
  }
  return result.data;
}

function describeIssues(error: ZodError, where: string): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${[where, ...issue.path.map(String)].join('.')}: ${issue.message}`)
    .join('; ');
}
