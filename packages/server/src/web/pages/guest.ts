import { html, page } from '../html.js';

/**
 * The guest reviewer's page, `/guest#<token>`: the invitation's token stays in the fragment (never
 * sent to the server in a URL); the guest asks for a code by email, signs in with it, then listens
 * to their own marked copy of each track of their scope, comments and approves.
 */
export function guestPage(): string {
  return page({
    title: 'Guest review',
    scripts: ['guest.js'],
    body: html`<h1>Guest review</h1>
      <div id="guest-signin" class="card stack">
        <p>You were invited to listen to and comment on music in a Vaultmark vault. To sign in, we email a code to the address the invitation was sent to.</p>
        <button type="button" id="send-code">Email me a code</button>
        <form id="guest-code" class="stack" hidden>
          <label>6-digit code <input name="code" inputmode="numeric" pattern="[0-9]{6}" autocomplete="one-time-code" required /></label>
          <button type="submit">Sign in</button>
        </form>
      </div>
      <p id="guest-name" class="lead" hidden></p>
      <div id="guest-tracks"></div>
      <p class="muted">Every copy you hear is personal to you and carries an inaudible forensic watermark; every use of your invitation is logged.</p>
      <p id="status" role="status" aria-live="polite"></p>`,
  });
}
