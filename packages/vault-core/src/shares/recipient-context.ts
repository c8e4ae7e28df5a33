/** A usable link: its tenant, recipient and share rows. */
export interface RecipientContext {
  tenantId: string;
  // biome-ignore lint/suspicious/noExplicitAny: database rows
  recipient: any;
  // biome-ignore lint/suspicious/noExplicitAny: database rows
  share: any;
}
