/**
 * Moved to `src/policies.ts` (roles, actors and the policy table are used by every folder, so they
 * live beside `errors.ts` and `deps.ts`). This re-export keeps code written against the old path
 * compiling until it moves; import `../policies.js` instead.
 */
export * from '../policies.js';
