import { inspect } from 'node:util';
import { defineBoundary, parseJson, toProblemDetails } from '@portcullis/boundary';
import { PortcullisError } from '@portcullis/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

describe('toProblemDetails', () => {
  it('maps a BoundaryError to RFC 9457 with status, code, detail and safe issues', () => {
    let problem: unknown;
    try {
      defineBoundary({ schema: z.object({ a: z.literal('s3cret') }) }).parse({ a: 'guess' });
    } catch (error) {
      problem = toProblemDetails(error, {
        instance: '/hooks',
        type: 'https://errors.example.com/',
      });
    }
    expect(problem).toEqual({
      type: 'https://errors.example.com/err_boundary_schema_mismatch',
      title: 'Unprocessable Content',
      status: 422,
      code: 'ERR_BOUNDARY_SCHEMA_MISMATCH',
      detail: 'The input does not have the expected shape (1 issue).',
      issues: [{ path: ['a'], expected: 'one of the allowed values' }],
      instance: '/hooks',
    });
    expect(JSON.stringify(problem)).not.toMatch(/s3cret|guess/);
  });

  it('keeps 5xx details and unknown errors generic: no message, stack or cause', () => {
    const internal = new PortcullisError('ERR_STORE_DOWN', 'redis at 10.0.0.5 refused', {
      status: 503,
      cause: new Error('pw=x'),
    });
    expect(toProblemDetails(internal)).toEqual({
      type: 'about:blank',
      title: 'Service Unavailable',
      status: 503,
      code: 'ERR_STORE_DOWN',
    });
    const weird = new Error('SELECT * FROM users; password=hunter2');
    const out = toProblemDetails(weird);
    expect(out).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      code: 'ERR_INTERNAL',
    });
    expect(inspect(toProblemDetails('a string thrown'))).not.toContain('a string');
    expect(toProblemDetails(new PortcullisError('ERR_X', 'x')).status).toBe(500);
  });

  it('keeps the status of a client error and its caller-safe message', () => {
    try {
      parseJson('{"a":1,"a":2}');
    } catch (error) {
      expect(toProblemDetails(error)).toMatchObject({
        status: 400,
        title: 'Bad Request',
        code: 'ERR_BOUNDARY_DUPLICATE_KEY',
      });
    }
  });
});
