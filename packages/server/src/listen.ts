import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';

/** A running HTTP server. */
export interface RunningServer {
  server: Server;
  /** The base URL it listens on, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /**
   * Stops accepting connections, lets in-flight requests (uploads included) finish for up to
   * `graceMs`, then closes what is left.
   */
  close(graceMs?: number): Promise<void>;
}

/** Starts the app on `host:port` (port 0 picks a free one). */
export async function listen(app: Koa, port: number, host = '127.0.0.1'): Promise<RunningServer> {
  const server = app.listen(port, host);
  // Idle keep-alive connections stay open longer than a load balancer's idle timeout (60 s is
  // common), so the proxy, not this server, closes them: a server closing first races the
  // proxy's next request on that connection and resets it.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${shownHost}:${address.port}`,
    close: (graceMs = 10_000) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        timer.unref();
        // Keep-alive connections become idle once their response is sent: close them as they do.
        const sweeper = setInterval(() => server.closeIdleConnections(), 25);
        server.close(() => {
          clearTimeout(timer);
          clearInterval(sweeper);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
