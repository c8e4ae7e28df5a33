import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { engines } from '../../test/database.js';
import { ownerActor, useTestDeps } from '../../test/deps.js';
import { withSystem } from '../db/transactions.js';
import { getRetentionPolicy, setRetentionPolicy } from '../tenancy/retention.js';
import { purgeDue } from './purge.js';

const DAY = 86_400_000;

describe.each(engines)('sign-in log retention on %s', (engine) => {
  const deps = useTestDeps(engine);

  it('keeps sign-in events 12 months by default, up to 24 by the organization’s policy', async () => {
    const short = await ownerActor(deps, 'login-short');
    const long = await ownerActor(deps, 'login-long');
    expect(await getRetentionPolicy(deps, short)).toMatchObject({ loginLogDays: 365 });
    for (const days of [364, 731, 400.5]) {
      await expect(
        setRetentionPolicy(deps, long, { accessLogDays: 730, trackDays: null, loginLogDays: days }),
      ).rejects.toMatchObject({ code: 'invalid_input', field: 'loginLogDays' });
    }
    await setRetentionPolicy(deps, long, {
      accessLogDays: 730,
      trackDays: null,
      loginLogDays: 730,
    });
    expect(await getRetentionPolicy(deps, long)).toMatchObject({ loginLogDays: 730 });
    // Leaving loginLogDays out keeps it.
    await setRetentionPolicy(deps, long, { accessLogDays: 700, trackDays: null });
    expect(await getRetentionPolicy(deps, long)).toMatchObject({ loginLogDays: 730 });

    const now = deps.clock.now().getTime();
    await withSystem(deps.db, async (tx) => {
      for (const user of [short.userId, long.userId]) {
        for (const daysAgo of [100, 400, 800]) {
          await tx('login_events').insert({
            id: randomUUID(),
            user_id: user,
            outcome: 'success',
            method: 'password',
            at: new Date(now - daysAgo * DAY),
          });
        }
      }
    });
    await purgeDue(deps);
    const ages = async (userId: string) =>
      (
        await withSystem(deps.db, (tx) =>
          tx('login_events')
            .where({ user_id: userId })
            .where('at', '<', new Date(now - 50 * DAY)),
        )
      )
        .map((r) => Math.round((now - new Date(r.at).getTime()) / DAY))
        .sort((a, b) => a - b);
    expect(await ages(short.userId)).toEqual([100]);
    expect(await ages(long.userId)).toEqual([100, 400]);
  });
});
