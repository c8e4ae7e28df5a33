/**
 * The non-owner role every tenant transaction switches to. It owns nothing, so row-level
 * security applies to it, and it holds only the table privileges the application needs.
 */
export const APP_ROLE = 'vaultmark_app';

/** Custom setting that carries the tenant id for the current transaction. */
export const TENANT_SETTING = 'vaultmark.tenant_id';

/** Custom setting that marks a system (operator) transaction, honoured only for the owner role. */
export const SYSTEM_SETTING = 'vaultmark.system';
