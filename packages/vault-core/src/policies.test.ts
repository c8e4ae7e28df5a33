import { describe, expect, it } from 'vitest';
import { type Actor, authorize, POLICIES, ROLES, type Role } from './policies.js';

const A = 'tenant-a';
const B = 'tenant-b';

describe('policy table', () => {
  it('no rule allows anything across tenants, whatever the role', () => {
    for (const role of ROLES) {
      const actor: Actor = { userId: 'u', tenantId: A, role };
      for (const [resource, actions] of Object.entries(POLICIES)) {
        for (const [action, rule] of Object.entries(actions)) {
          expect(rule(actor, { tenantId: B, createdBy: 'u' }), `${resource}.${action}`).toBe(false);
        }
      }
    }
  });

  it('orders roles member < admin < owner', () => {
    const who = (role: Role): Actor => ({ userId: 'u', tenantId: A, role });
    expect(() => authorize(who('member'), 'track', 'delete', { tenantId: A })).toThrow(
      expect.objectContaining({ code: 'forbidden' }),
    );
    expect(() =>
      authorize(who('member'), 'track', 'delete', { tenantId: A, createdBy: 'u' }),
    ).not.toThrow();
    expect(() => authorize(who('admin'), 'track', 'delete', { tenantId: A })).not.toThrow();
    expect(() => authorize(who('admin'), 'organization', 'delete')).toThrow();
    expect(() => authorize(who('owner'), 'organization', 'delete')).not.toThrow();
    expect(() => authorize(who('owner'), 'track', 'read', { tenantId: B })).toThrow(
      expect.objectContaining({ code: 'not_found' }),
    );
  });
});
