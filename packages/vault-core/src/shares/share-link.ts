/** A recipient's link, returned by {@link createShare} (and re-sent by `share-links.ts`). */
export interface ShareLink {
  recipientId: string;
  name: string;
  email: string;
  /** The link token; only its hash and the nonce it is derived from are stored. */
  token: string;
  /** With `notify`: whether the mail was handed to the mail port (a failure does not undo the share). */
  mailed?: boolean;
}
