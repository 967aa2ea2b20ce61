import { z } from 'zod';
import { Id } from '../../graph/model.ts';

export const MAX_PAGE = 500;

export const PageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export const IdParams = z.object({ id: Id });

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
    nextOffset: z.number().int().nullable(),
  });

export function page<T>(items: T[], total: number, q: { limit: number; offset: number }) {
  return { items, total, limit: q.limit, offset: q.offset, nextOffset: q.offset + items.length < total ? q.offset + items.length : null };
}
