import type { Knex } from 'knex';
import { TenantContextError, VaultError } from '../errors.js';
import type { Database } from './database.js';
import { APP_ROLE, SYSTEM_SETTING, TENANT_SETTING } from './roles.js';

/** A transaction handle given to use-case code. */
export type Tx = Knex.Transaction;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Whether a string is a canonical lower-case UUID. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/**
 * Runs `fn` in a transaction scoped to one tenant: the tenant id is set with
 * `set_config(..., true)` (transaction-local) and the role is switched to the non-owner
 * application role (`SET LOCAL ROLE`, in the same statement), so row-level security applies even on PGlite, whose
 * connection is a superuser. This is the only way use-cases touch tenant-owned rows.
 */
export async function withTenant<T>(
  db: Database,
  tenantId: string,
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  if (!isUuid(tenantId)) throw new TenantContextError();
  return transaction(
    db,
    // One round trip: `set_config('role', ..., true)` is `SET LOCAL ROLE`.
    (tx) =>
      tx.raw("SELECT set_config(?, ?, true), set_config('role', ?, true)", [
        TENANT_SETTING,
        tenantId,
        APP_ROLE,
      ]),
    fn,
  );
}

/**
 * Runs `fn` as the application role with no tenant: only the global identity tables (users,
 * sessions, login events, IP salts) are readable; every tenant table returns nothing.
 */
export async function withIdentity<T>(db: Database, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return transaction(db, (tx) => tx.raw(`SET LOCAL ROLE ${APP_ROLE}`), fn);
}

/**
 * Runs `fn` as the owner role with the system flag set: for operator work that spans tenants
 * (claiming jobs, purge, audit tombstoning, resolving a user's memberships at sign-in). Never
 * reachable from request input.
 */
export async function withSystem<T>(db: Database, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return transaction(
    db,
    (tx) => tx.raw('SELECT set_config(?, ?, true)', [SYSTEM_SETTING, 'on']),
    fn,
  );
}

/** The database could not be reached, or the connection was lost mid-transaction (a 503). */
export class DatabaseUnavailableError extends VaultError {
  constructor(cause: unknown) {
    super('not_ready', 'the database is unavailable; try again');
    this.cause = cause;
  }
}

/** How often a transaction that lost its connection before running any use-case code is tried. */
const CONNECTION_ATTEMPTS = 5;

/**
 * Runs `fn` in a transaction after `begin` (role and settings). A connection lost before `fn`
 * starts (a pooled connection that PostgreSQL closed while idle: a restart, a failover, an
 * operator's `pg_terminate_backend`) costs nothing but a retry on a fresh connection, since no
 * use-case code has run. A connection lost later is not retried here: whether the transaction
 * committed is unknown, and `fn` may have had effects outside the database. Either way the error
 * becomes `not_ready` (503) rather than an internal error.
 */
async function transaction<T>(
  db: Database,
  begin: (tx: Tx) => Promise<unknown>,
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let entered = false;
    try {
      return await db.knex.transaction(async (tx) => {
        await begin(tx);
        entered = true;
        return fn(tx);
      });
    } catch (error) {
      // The pool gave up waiting for a connection (PostgreSQL down for its whole timeout).
      if ((error as Error | null)?.name === 'KnexTimeoutError') {
        throw new DatabaseUnavailableError(error);
      }
      if (!isConnectionLost(error)) throw error;
      if (entered || attempt >= CONNECTION_ATTEMPTS) throw new DatabaseUnavailableError(error);
      await new Promise((resolve) => setTimeout(resolve, 25 * attempt));
    }
  }
}

/**
 * SQLSTATEs of a lost or refused connection: class 08 (connection exception) and the server
 * shutting down or terminating the backend (57P01 admin_shutdown, 57P02 crash_shutdown, 57P03
 * cannot_connect_now). See PostgreSQL's errcodes appendix.
 */
const CONNECTION_STATES = /^(08...|57P0[123])$/;

/** Whether an error means the connection to PostgreSQL is gone (not a statement's failure). */
export function isConnectionLost(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (CONNECTION_STATES.test(code)) return true;
    if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT'].includes(code)) return true;
  }
  // node-postgres reports a socket closed under a query without a SQLSTATE.
  return /Connection terminated|connection error and is not queryable|Client was closed/i.test(
    error.message,
  );
}
