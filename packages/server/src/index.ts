/**
 * `@vaultmark/server`: the reference web service. A thin Koa app that maps HTTP to the use-cases
 * of `@vaultmark/vault-core`.
 */
export { buildOpenApi, type OpenApiDocument } from './api/openapi.js';
export { ApiRegistry, type Authenticate, ErrorBody } from './api/registry.js';
export {
  defineRoute,
  type HttpMethod,
  type ResponseSpec,
  type RouteInput,
  type RouteResult,
  type RouteSpec,
} from './api/route.js';
export { type AppOptions, createApp, type VaultmarkApp } from './app.js';
export { authenticate, requireCaller } from './auth/authenticate.js';
export { type Caller, callerOf, type SessionResolver } from './auth/caller.js';
export { CsrfTokens } from './auth/csrf.js';
export {
  clearSessionCookie,
  readSessionCookie,
  sessionCookieName,
  setSessionCookie,
} from './auth/session-cookie.js';
export { ConfigError, loadConfig, type ServerConfig } from './config.js';
export { HttpError, STATUS_BY_CODE, statusFor } from './http-error.js';
export {
  createVaultWorker,
  type RunningWorker,
  startWorker,
  type VaultWorker,
  type WorkerStartOptions,
} from './jobs/worker.js';
export { listen, type RunningServer } from './listen.js';
export { type ByteRange, parseRange } from './media/range.js';
export { sendDownload } from './media/send-download.js';
export { sendMedia } from './media/send-media.js';
export { createMetrics, type Metrics } from './metrics.js';
export {
  DatabaseRateLimitStore,
  MemoryRateLimitStore,
  type RateLimitRule,
  type RateLimitStore,
  rateLimit,
} from './middleware/rate-limit.js';
export { CONTENT_SECURITY_POLICY } from './middleware/security-headers.js';
export type { ReadinessCheck } from './routes/health.js';
export { contentDisposition } from './uploads/content-disposition.js';
export { receiveAudioUpload, type UploadedAudio, type UploadLimits } from './uploads/multipart.js';
export { type FinishedUpload, type TusOptions, tusUploads } from './uploads/tus.js';
export { type MigrationReport, migrateDatabase } from './vault/migrate-database.js';
export { type ConfiguredVault, openConfiguredVault } from './vault/open-configured-vault.js';
export { createVaultServer, type VaultServer, type VaultServerOptions } from './vault-server.js';
export { escapeHtml, html, page, SafeHtml } from './web/html.js';
export {
  formatProbability,
  type InvestigationReport,
  investigationReportPage,
  type ReportMatch,
} from './web/pages/investigation-report.js';
export {
  type ShareTrackView,
  type ShareView,
  sharePage,
  sharePasswordPage,
  shareUnavailablePage,
} from './web/pages/share.js';
