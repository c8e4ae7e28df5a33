import { z } from 'zod';

/** The `limit` (1–200, default 50) and `offset` query parameters of every listing. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
