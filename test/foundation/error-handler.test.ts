import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { ConflictError, InvalidInputError, NotFoundError } from '../../graph/errors.ts';
import { installErrorHandler } from '../../src/http/errors.ts';

async function answer(err: unknown) {
  const app = Fastify();
  installErrorHandler(app);
  app.get('/boom', async () => {
    throw err;
  });
  const res = await app.inject({ method: 'GET', url: '/boom' });
  await app.close();
  return { status: res.statusCode, body: res.json(), headers: res.headers };
}

describe('one error shape for every failure', () => {
  it('maps domain errors, races and outages to 4xx/503, and hides internals of real bugs', async () => {
    expect((await answer(new NotFoundError('trial', 'x'))).status).toBe(404);
    expect((await answer(new ConflictError('no'))).status).toBe(409);
    const bad = await answer(new InvalidInputError('body.a', 'is wrong', [{ field: 'body.b', reason: 'too' }]));
    expect(bad.status).toBe(400);
    expect(bad.body.issues).toEqual([
      { field: 'body.a', reason: 'is wrong' },
      { field: 'body.b', reason: 'too' },
    ]);
    const race = await answer(Object.assign(new Error('Node(1) already exists'), { code: 'Neo.ClientError.Schema.ConstraintValidationFailed' }));
    expect(race.status).toBe(409);
    expect(race.body.message).not.toContain('Node(1)');
    const down = await answer(Object.assign(new Error('refused'), { code: 'ServiceUnavailable' }));
    expect(down.status).toBe(503);
    expect(down.headers['retry-after']).toBe('2');
    // What a stopping or failing server answers is unavailability too, not a bug of the request.
    for (const failure of [
      { code: 'Neo.TransientError.General.DatabaseUnavailable' },
      { code: 'Neo.DatabaseError.Transaction.TransactionCommitFailed' },
      { code: 'Neo.ClientError.Database.DatabaseNotFound' },
      { code: 'N/A', gqlStatus: '08N09' },
    ]) {
      const res = await answer(Object.assign(new Error('database internals'), failure));
      expect(res.status, JSON.stringify(failure)).toBe(503);
      expect(res.headers['retry-after']).toBe('2');
      expect(JSON.stringify(res.body)).not.toContain('internals');
    }
    // A statement Neo4j refuses is ours to fix.
    const refused = await answer(Object.assign(new Error('Invalid input'), { code: 'Neo.ClientError.Statement.SyntaxError', gqlStatus: '42001' }));
    expect(refused.status).toBe(500);
    const bug = await answer(new TypeError('secret internals'));
    expect(bug.status).toBe(500);
    expect(JSON.stringify(bug.body)).not.toContain('secret');
  });
});
