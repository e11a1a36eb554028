import * as otel from '@opentelemetry/api';
import {
  isPortcullisError,
  noopTelemetry,
  type OpenTelemetryApi,
  PortcullisError,
  setOpenTelemetryApi,
  telemetry,
} from '@portcullis/core';
import { afterEach, describe, expect, it } from 'vitest';

interface Point {
  kind: string;
  name: string;
  value?: number;
  attributes?: unknown;
}

type Tracer = ReturnType<OpenTelemetryApi['trace']['getTracer']>;
interface SpanLike {
  setAttributes(attributes: unknown): void;
  recordException(e: { name: string; message: string }): void;
  setStatus(s: { code: number }): void;
  end(): void;
}

/** A minimal OpenTelemetry API that records what reaches it. */
function recordingApi(points: Point[]): OpenTelemetryApi {
  const startActiveSpan = (name: string, fn: (span: SpanLike) => unknown): unknown =>
    fn({
      setAttributes: (attributes) => points.push({ kind: 'span-attrs', name, attributes }),
      recordException: (e) => points.push({ kind: 'exception', name: `${e.name}:${e.message}` }),
      setStatus: (s) => points.push({ kind: 'status', name, value: s.code }),
      end: () => points.push({ kind: 'end', name }),
    });
  return {
    metrics: {
      getMeter: (scope) => ({
        createCounter: (name) => {
          points.push({ kind: 'create-counter', name: `${scope}/${name}` });
          return {
            add: (value, attributes) => points.push({ kind: 'add', name, value, attributes }),
          };
        },
        createHistogram: (name) => ({
          record: (value, attributes) => points.push({ kind: 'record', name, value, attributes }),
        }),
      }),
    },
    trace: {
      getTracer: () => ({ startActiveSpan }) as unknown as Tracer,
    },
  };
}

afterEach(() => setOpenTelemetryApi(undefined));

describe('telemetry', () => {
  it('reports counters, histograms and spans to the OpenTelemetry API, one instrument per name', async () => {
    const points: Point[] = [];
    setOpenTelemetryApi(recordingApi(points));
    const t = telemetry('@portcullis/example');
    t.count('portcullis.example.calls');
    t.count('portcullis.example.calls', 2, { outcome: 'ok' });
    t.record('portcullis.example.duration', 12.5);
    await expect(t.span('example.op', async () => 42, { target: 'api' })).resolves.toBe(42);
    expect(points.filter((p) => p.kind === 'create-counter')).toHaveLength(1);
    expect(points).toContainEqual({
      kind: 'add',
      name: 'portcullis.example.calls',
      value: 2,
      attributes: { outcome: 'ok' },
    });
    expect(points).toContainEqual({
      kind: 'record',
      name: 'portcullis.example.duration',
      value: 12.5,
      attributes: undefined,
    });
    expect(points).toContainEqual({ kind: 'end', name: 'example.op' });
  });

  it('marks a failed span with the error name and code only, never its message', async () => {
    const points: Point[] = [];
    setOpenTelemetryApi(recordingApi(points));
    const failing = telemetry('@portcullis/example').span('example.op', async () => {
      throw new PortcullisError('ERR_EXAMPLE_UPSTREAM', 'token tok_secret_123 refused');
    });
    const error = await failing.catch((e: unknown) => e);
    expect(isPortcullisError(error, 'ERR_EXAMPLE_UPSTREAM')).toBe(true);
    expect(points).toContainEqual({
      kind: 'exception',
      name: 'PortcullisError:ERR_EXAMPLE_UPSTREAM',
    });
    expect(JSON.stringify(points)).not.toContain('tok_secret_123');
    expect(points.at(-1)).toEqual({ kind: 'end', name: 'example.op' });
  });

  it('finds the installed @opentelemetry/api on its own and reaches its global provider', () => {
    const points: Point[] = [];
    const fake = recordingApi(points);
    otel.metrics.setGlobalMeterProvider({ getMeter: fake.metrics.getMeter } as never);
    try {
      telemetry('@portcullis/example').count('portcullis.example.found');
      expect(points).toContainEqual({
        kind: 'add',
        name: 'portcullis.example.found',
        value: 1,
        attributes: undefined,
      });
    } finally {
      otel.metrics.disable();
    }
  });

  it('is a no-op when turned off', async () => {
    setOpenTelemetryApi(null);
    const t = telemetry('@portcullis/example');
    expect(t).toBe(noopTelemetry);
    t.count('x');
    t.record('y', 1);
    await expect(t.span('z', async () => 'done')).resolves.toBe('done');
  });
});
