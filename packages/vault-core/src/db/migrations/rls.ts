import type { Knex } from 'knex';
import { APP_ROLE, SYSTEM_SETTING, TENANT_SETTING } from '../roles.js';

/**
 * Enables and forces row-level security on a tenant-owned table and installs its two policies:
 * `tenant_isolation` (rows of the tenant named by the transaction's setting; an unset or empty
 * setting is NULL and matches nothing, so the table fails closed) and `system_access` (operator
 * jobs such as purge and tombstoning, honoured only when the current role is not the app role).
 */
export async function enableTenantRls(knex: Knex, table: string): Promise<void> {
  const tenant = `tenant_id = nullif(current_setting('${TENANT_SETTING}', true), '')::uuid`;
  const system = `current_setting('${SYSTEM_SETTING}', true) = 'on' AND current_user <> '${APP_ROLE}'`;
  await knex.raw(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
  await knex.raw(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
  await knex.raw(
    `CREATE POLICY tenant_isolation ON ${table} USING (${tenant}) WITH CHECK (${tenant})`,
  );
  await knex.raw(
    `CREATE POLICY system_access ON ${table} USING (${system}) WITH CHECK (${system})`,
  );
}

/** Creates the application role once per cluster (roles are cluster-wide) and grants it to us. */
export async function ensureAppRole(knex: Knex): Promise<void> {
  // Two migrations racing on one cluster may both try to create it: swallow the duplicate.
  await knex.raw(`DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN
      CREATE ROLE ${APP_ROLE} NOLOGIN;
    END IF;
  EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
  END $$`);
  // PostgreSQL 15: a CREATEROLE user is not a member of roles it creates; SET ROLE needs it.
  const member = await knex.raw(`SELECT pg_has_role(current_user, '${APP_ROLE}', 'MEMBER') AS ok`);
  if (!member.rows[0]?.ok) {
    await knex.raw(`GRANT ${APP_ROLE} TO CURRENT_USER`);
  }
  await knex.raw(`GRANT USAGE ON SCHEMA ${await currentSchema(knex)} TO ${APP_ROLE}`);
}

/** Quoted name of the schema new tables are created in. */
export async function currentSchema(knex: Knex): Promise<string> {
  const r = await knex.raw('SELECT quote_ident(current_schema()) AS s');
  return r.rows[0].s as string;
}
