/** Attribute values on a metric point or span: low-cardinality, never secrets or payloads. */
export type TelemetryAttributes = Record<string, string | number | boolean>;

/**
 * How a package reports what it does. The default, from {@link telemetry}, goes to
 * OpenTelemetry when `@opentelemetry/api` is installed (and the application registered a
 * provider) and costs nothing when it is not. Every package takes a `telemetry` option of this
 * type, so tests and applications can plug in their own.
 */
export interface Telemetry {
  /** Adds `value` (default 1) to the counter `name`. */
  count(name: string, value?: number, attributes?: TelemetryAttributes): void;
  /** Records `value` in the histogram `name` (durations in milliseconds, sizes in bytes). */
  record(name: string, value: number, attributes?: TelemetryAttributes): void;
  /** Runs `fn` inside a span named `name`; the span records an error if `fn` throws. */
  span<T>(name: string, fn: () => Promise<T>, attributes?: TelemetryAttributes): Promise<T>;
}

interface OtelCounter {
  add(value: number, attributes?: TelemetryAttributes): void;
}
interface OtelHistogram {
  record(value: number, attributes?: TelemetryAttributes): void;
}
interface OtelSpan {
  setAttributes(attributes: TelemetryAttributes): void;
  recordException(exception: { name: string; message: string }): void;
  setStatus(status: { code: number; message?: string }): void;
  end(): void;
}
/** The slice of `@opentelemetry/api` this module uses. */
export interface OpenTelemetryApi {
  /** `@opentelemetry/api`'s `metrics`. */
  metrics: {
    /** The meter counters and histograms are created on. */
    getMeter(
      name: string,
      version?: string,
    ): {
      /** A counter (`portcullis.<package>.<event>`). */
      createCounter(name: string, options?: { unit?: string }): OtelCounter;
      /** A histogram (durations in milliseconds). */
      createHistogram(name: string, options?: { unit?: string }): OtelHistogram;
    };
  };
  /** `@opentelemetry/api`'s `trace`. */
  trace: {
    /** The tracer spans are started on. */
    getTracer(
      name: string,
      version?: string,
    ): {
      /**
       * Runs `fn` inside a new active span.
       *
       * @typeParam F - the function run inside the span; its result is returned.
       */
      startActiveSpan<F extends (span: OtelSpan) => unknown>(name: string, fn: F): ReturnType<F>;
    };
  };
}

/** A {@link Telemetry} that does nothing. */
export const noopTelemetry: Telemetry = {
  count() {},
  record() {},
  span(_name, fn) {
    return fn();
  },
};

let api: OpenTelemetryApi | null | undefined;

/**
 * Sets the OpenTelemetry API module to report to, for runtimes where it cannot be found on its
 * own (bundled or edge code); `null` turns reporting off; `undefined` goes back to finding
 * `@opentelemetry/api` on its own. Affects {@link telemetry} calls made afterwards, so call it
 * before creating clients.
 *
 * @example
 * ```ts
 * import * as otel from '@opentelemetry/api';
 * import { setOpenTelemetryApi } from '@portcullis/core';
 * setOpenTelemetryApi(otel);
 * ```
 */
export function setOpenTelemetryApi(value: OpenTelemetryApi | null | undefined): void {
  api = value;
}

function loadApi(): OpenTelemetryApi | null {
  if (api !== undefined) return api;
  api = null;
  try {
    // Synchronous and Node-only; elsewhere there is no `process` and reporting stays off.
    const getBuiltin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
      .process?.getBuiltinModule;
    const mod = getBuiltin?.('node:module') as
      | { createRequire(path: string): (id: string) => unknown }
      | undefined;
    if (mod) api = mod.createRequire(import.meta.url)('@opentelemetry/api') as OpenTelemetryApi;
  } catch {
    // Not installed: the optional peer is absent, so telemetry is a no-op.
  }
  return api;
}

const SPAN_ERROR = 2;

/**
 * The {@link Telemetry} for one package (`scope`, e.g. `'@portcullis/webhooks'`), reporting to
 * OpenTelemetry's global meter and tracer when `@opentelemetry/api` is installed, else
 * {@link noopTelemetry}. Instruments are made once per name. Metric names are
 * `portcullis.<area>.<what>` (`portcullis.webhooks.verified`).
 *
 * @example
 * ```ts
 * import { telemetry } from '@portcullis/core';
 * const t = telemetry('@portcullis/example');
 * t.count('portcullis.example.calls', 1, { outcome: 'ok' });
 * ```
 */
export function telemetry(scope: string, version?: string): Telemetry {
  const otel = loadApi();
  if (otel === null) return noopTelemetry;
  const meter = otel.metrics.getMeter(scope, version);
  const tracer = otel.trace.getTracer(scope, version);
  const counters = new Map<string, OtelCounter>();
  const histograms = new Map<string, OtelHistogram>();
  return {
    count(name, value = 1, attributes) {
      let counter = counters.get(name);
      if (counter === undefined) {
        counter = meter.createCounter(name);
        counters.set(name, counter);
      }
      counter.add(value, attributes);
    },
    record(name, value, attributes) {
      let histogram = histograms.get(name);
      if (histogram === undefined) {
        histogram = meter.createHistogram(name);
        histograms.set(name, histogram);
      }
      histogram.record(value, attributes);
    },
    span(name, fn, attributes) {
      return tracer.startActiveSpan(name, async (span: OtelSpan) => {
        if (attributes) span.setAttributes(attributes);
        try {
          return await fn();
        } catch (error) {
          // Name and code only: messages of foreign errors may carry data we must not export.
          const e = error as { name?: unknown; code?: unknown };
          span.recordException({
            name: String(e?.name ?? 'Error'),
            message: String(e?.code ?? ''),
          });
          span.setStatus({ code: SPAN_ERROR });
          throw error;
        } finally {
          span.end();
        }
      });
    },
  };
}
