import { createServer, type Server } from 'node:net';

/** One message a {@link FakeSmtp} accepted. */
export interface ReceivedMail {
  from: string;
  to: string[];
  data: string;
}

/**
 * A minimal SMTP server (RFC 5321's plain dialogue, no TLS, no auth) that records every message
 * it accepts: enough for nodemailer to deliver to it.
 */
export class FakeSmtp {
  readonly received: ReceivedMail[] = [];
  private server: Server | undefined;

  /** Listens on `port` (0 picks a free one) of 127.0.0.1; resolves with the port. */
  async listen(port = 0): Promise<number> {
    const server = createServer((socket) => {
      socket.setEncoding('utf8');
      let buffer = '';
      let mail: ReceivedMail = { from: '', to: [], data: '' };
      let inData = false;
      socket.write('220 fake-smtp ESMTP\r\n');
      socket.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
          const line = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (inData) {
            if (line === '.') {
              inData = false;
              this.received.push(mail);
              mail = { from: '', to: [], data: '' };
              socket.write('250 queued\r\n');
            } else {
              mail.data += `${line.startsWith('..') ? line.slice(1) : line}\n`;
            }
            continue;
          }
          const verb = line.slice(0, 4).toUpperCase();
          if (verb === 'EHLO' || verb === 'HELO') socket.write('250 fake-smtp\r\n');
          else if (verb === 'MAIL') {
            mail.from = line.slice(line.indexOf(':') + 1).trim();
            socket.write('250 ok\r\n');
          } else if (verb === 'RCPT') {
            mail.to.push(line.slice(line.indexOf(':') + 1).replace(/[<>\s]/g, ''));
            socket.write('250 ok\r\n');
          } else if (verb === 'DATA') {
            inData = true;
            socket.write('354 go on\r\n');
          } else if (verb === 'QUIT') socket.end('221 bye\r\n');
          else socket.write('250 ok\r\n');
        }
      });
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    this.server = server;
    return (server.address() as { port: number }).port;
  }

  /** Messages sent to `email`. */
  to(email: string): ReceivedMail[] {
    return this.received.filter((m) => m.to.includes(email));
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}

/** A TCP port on 127.0.0.1 that nothing listens on (taken and released). */
export async function closedPort(): Promise<number> {
  const probe = new FakeSmtp();
  const port = await probe.listen(0);
  await probe.close();
  return port;
}
