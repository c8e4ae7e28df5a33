import { isUuid, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { NotFoundError } from '../errors.js';
import { type Actor, authorize } from '../policies.js';
import { coveredSeconds, mergeRanges, type Range } from './listening-ranges.js';

/** What one recipient did with one track of a share. */
export interface TrackListening {
  trackId: string;
  title: string;
  durationSeconds: number | null;
  /** Seconds of the track heard at least once: the union of every session's played stretches. */
  listenedSeconds: number;
  /** `listenedSeconds` over the track's length (0 to 1), or `null` when the length is unknown. */
  listenedFraction: number | null;
  /** The stretches heard, merged, `[from, to]` seconds. */
  listenedRanges: Array<[number, number]>;
  /** Listening sessions reported by the player. */
  sessions: number;
  downloads: number;
  lastPlayedAt: Date | null;
  lastDownloadedAt: Date | null;
}

/** One recipient's activity on a share. */
export interface RecipientListening {
  recipientId: string;
  name: string;
  email: string;
  firstOpenedAt: Date | null;
  lastOpenedAt: Date | null;
  opens: number;
  tracks: TrackListening[];
}

/** A share's activity, per recipient and track, for people to read. */
export interface ShareAnalytics {
  shareId: string;
  recipients: RecipientListening[];
}

/**
 * Who opened a share and when, how much of each track each recipient really heard (the union of
 * the stretches played, so a replay or a seek back is not counted twice and a skip forward is
 * not counted at all), and their downloads. Sessions the player reported before stretches were
 * recorded count as heard from the start for the seconds they report.
 */
export async function shareAnalytics(
  deps: Pick<VaultDeps, 'db'>,
  actor: Actor,
  shareId: string,
): Promise<ShareAnalytics> {
  authorize(actor, 'share', 'read');
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    const share = isUuid(shareId)
      ? await tx('shares').where({ id: shareId }).first('id')
      : undefined;
    if (!share) throw new NotFoundError('share');
    const tracks = await tx('share_tracks')
      .join('tracks', 'tracks.id', 'share_tracks.track_id')
      .where({ share_id: shareId })
      .orderBy('tracks.title')
      .select('tracks.id', 'tracks.title', 'tracks.duration_seconds');
    const recipients = await tx('share_recipients')
      .where({ share_id: shareId })
      .orderBy(['created_at', 'name'])
      .select('id', 'name', 'email');
    const events = await tx('access_events')
      .where({ share_id: shareId })
      .whereIn('kind', ['opened', 'played', 'downloaded'])
      .orderBy('at')
      .select('recipient_id', 'track_id', 'kind', 'position_seconds', 'ranges', 'at');
    return {
      shareId,
      recipients: recipients.map((r) => {
        const mine = events.filter((e) => e.recipient_id === r.id);
        const opens = mine.filter((e) => e.kind === 'opened');
        return {
          recipientId: r.id,
          name: r.name,
          email: r.email,
          firstOpenedAt: opens[0] ? new Date(opens[0].at) : null,
          lastOpenedAt: opens.at(-1) ? new Date(opens.at(-1)!.at) : null,
          opens: opens.length,
          tracks: tracks.map((t) => {
            const played = mine.filter((e) => e.kind === 'played' && e.track_id === t.id);
            const downloads = mine.filter((e) => e.kind === 'downloaded' && e.track_id === t.id);
            const stretches: Range[] = played.flatMap((e): Range[] => {
              const ranges = typeof e.ranges === 'string' ? JSON.parse(e.ranges) : e.ranges;
              if (Array.isArray(ranges)) return ranges as Range[];
              const heard = Number(e.position_seconds ?? 0);
              return heard > 0 ? [[0, heard]] : [];
            });
            const duration = t.duration_seconds == null ? null : Number(t.duration_seconds);
            // Nothing past the end counts (a report may round up).
            const merged = mergeRanges(stretches)
              .map(([a, b]): Range => [a, duration == null ? b : Math.min(b, duration)])
              .filter(([a, b]) => b > a);
            const listened = coveredSeconds(merged);
            return {
              trackId: t.id,
              title: t.title,
              durationSeconds: duration,
              listenedSeconds: listened,
              listenedFraction: duration ? Math.min(1, listened / duration) : null,
              listenedRanges: merged.map(([a, b]) => [a, b] as [number, number]),
              sessions: played.length,
              downloads: downloads.length,
              lastPlayedAt: played.at(-1) ? new Date(played.at(-1)!.at) : null,
              lastDownloadedAt: downloads.at(-1) ? new Date(downloads.at(-1)!.at) : null,
            };
          }),
        };
      }),
    };
  });
}
