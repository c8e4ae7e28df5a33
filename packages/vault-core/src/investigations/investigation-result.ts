/** One recipient whose marked copy was found in the investigated audio. */
export interface InvestigationMatch {
  trackId: string;
  /** `null` when the track was deleted after it was shared (the mapping outlives it). */
  trackTitle: string | null;
  /** The share the copy left through; `null` for a guest's or a member's copy. */
  shareId: string | null;
  /** Who received the copy: a share recipient, a guest (token) or a studio member. */
  subject: 'recipient' | 'guest' | 'member';
  /**
   * The person named: the share recipient, or for a guest or a member the label their mapping
   * keeps (`guest: <token label>`, `member: <name> <email>`) with the id of the token or user.
   */
  recipient: { id: string; name: string; email: string; company: string | null };
  /** When the share was created (for guests and members: when their first copy left). */
  sharedAt: string;
  /** The 128-bit payload found, 32 hex digits. */
  payload: string;
  /** Watermark key that made the mark. */
  keyId: string;
  /** Where in the found audio a watermark block starts (s). */
  offsetSeconds: number;
  /** Estimated playback speed of the found copy (1 = unchanged). */
  speed: number;
  /**
   * Upper bound on the probability that audio without this mark produces a match this strong,
   * over the whole search (every offset, speed and key tried).
   */
  falsePositiveProbability: number;
  /** log10 of the bound (useful when it underflows to 0). */
  log10FalsePositiveProbability: number;
  /**
   * The detector's own figures for the match (absent from results stored before they were
   * kept): how the copy was altered, its statistics and bit errors (docs/watermark.md §6).
   */
  detection?: {
    /**
     * 'decoded' from the mark alone, or 'candidate': too damaged to decode, matched against the
     * `candidates` payloads issued under the key (absent from results stored before).
     */
    method?: 'decoded' | 'candidate';
    candidates?: number;
    frequencyScale: number;
    scaling: 'none' | 'speed' | 'tempo' | 'pitch';
    zSync: number;
    tTotal: number;
    bitErrors: number;
    observedBits: number;
  };
  /** When the mapping recorded this mark (absent from results stored before it was kept). */
  markedAt?: string;
  /** What this recipient did with their link, oldest first (at most 200 entries). */
  accessHistory: Array<{
    kind: string;
    trackId: string | null;
    positionSeconds: number | null;
    at: string;
  }>;
}

/** Why nobody was named. */
export type InvestigationReason = 'no_match' | 'watermark_unreadable' | 'audio_too_short';

/** The finding of an investigation (stored as JSON; instants as ISO text). */
export interface InvestigationResult {
  /** True when at least one recipient is named. */
  identified: boolean;
  /**
   * True when the audio shows evidence of this vault's watermark that could not be read, so
   * the answer is neither a name nor "no match".
   */
  inconclusive: boolean;
  reason?: InvestigationReason;
  /** Recipients whose copies are in the audio, strongest first (several for a spliced copy). */
  matches: InvestigationMatch[];
  /** Length of the audio analysed (s). */
  durationSeconds: number;
  /** Matches are reported only at or below this false-positive bound. */
  thresholdProbability: number;
  /** Number of the organization's watermark keys searched (current and previous). */
  keysSearched: number;
  /** Watermark format version searched for. */
  formatVersion: number;
  completedAt: string;
}
