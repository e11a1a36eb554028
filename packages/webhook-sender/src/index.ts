export type { Clock, Telemetry } from '@portcullis/core';
export { createWebhookSender, type WebhookSender } from './createWebhookSender.ts';
export {
  isWebhookSenderError,
  WebhookSenderError,
  type WebhookSenderErrorCode,
} from './errors/WebhookSenderError.ts';
export { DEFAULTS } from './internal/options.ts';
export { type MigrateOptions, migrate, migrationSql } from './migrate.ts';
export type {
  DeliveryAttempt,
  DeliveryState,
  Endpoint,
  EndpointDisabledEvent,
  EndpointInput,
  EnqueueResult,
  ExhaustedEvent,
  ListAttemptsQuery,
  OutboundEvent,
  PayloadCipher,
  PoolLike,
  Queryable,
  QueryResultLike,
  SecretsSource,
  WebhookSenderOptions,
} from './options.ts';
export { nextRetryDelayMs, type RetryInput, schedules } from './schedule.ts';
