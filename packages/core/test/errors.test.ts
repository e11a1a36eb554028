import { invalidArgument, isPortcullisError, PortcullisError } from '@portcullis/core';
import { describe, expect, it, vi } from 'vitest';

class ExampleError extends PortcullisError {
  override name = 'ExampleError';
}

describe('PortcullisError', () => {
  it('carries a stable code, a status and a caller-safe message', () => {
    const error = new ExampleError('ERR_EXAMPLE_REFUSED', 'Refused.', { status: 403 });
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('ERR_EXAMPLE_REFUSED');
    expect(error.status).toBe(403);
    expect(error.name).toBe('ExampleError');
    expect(error.message).toBe('Refused.');
    expect(String(error)).toBe('ExampleError: Refused.');
  });

  it('keeps the cause for operators but never serialises it or the stack', () => {
    const cause = new Error('db password hunter2 rejected');
    const error = new PortcullisError('ERR_EXAMPLE_UPSTREAM', 'Upstream failed.', { cause });
    expect(error.cause).toBe(cause);
    const json = JSON.stringify(error);
    expect(JSON.parse(json)).toEqual({
      name: 'PortcullisError',
      code: 'ERR_EXAMPLE_UPSTREAM',
      message: 'Upstream failed.',
    });
    expect(json).not.toContain('hunter2');
    expect(json).not.toContain('at ');
  });

  it('omits status from JSON when none was given, and cause when none was given', () => {
    const error = new PortcullisError('ERR_X', 'x');
    expect('cause' in error).toBe(false);
    expect(error.toJSON()).toEqual({ name: 'PortcullisError', code: 'ERR_X', message: 'x' });
  });

  it('is recognised by brand, with or without a code', () => {
    const error = new ExampleError('ERR_EXAMPLE_A', 'a');
    expect(isPortcullisError(error)).toBe(true);
    expect(isPortcullisError(error, 'ERR_EXAMPLE_A')).toBe(true);
    expect(isPortcullisError(error, 'ERR_EXAMPLE_B')).toBe(false);
    for (const other of [new Error('x'), { code: 'ERR_EXAMPLE_A' }, null, undefined, 'ERR', 1]) {
      expect(isPortcullisError(other)).toBe(false);
    }
  });

  it('is recognised across two copies of the package (duplicate installs)', async () => {
    vi.resetModules();
    const copy = await import('@portcullis/core');
    const foreign = new copy.PortcullisError('ERR_EXAMPLE_A', 'a');
    expect(copy.PortcullisError).not.toBe(PortcullisError);
    expect(foreign instanceof PortcullisError).toBe(false);
    expect(isPortcullisError(foreign, 'ERR_EXAMPLE_A')).toBe(true);
  });
});

describe('invalidArgument', () => {
  it('is a TypeError with a Node-style code that names the argument, not the value', () => {
    const type = invalidArgument('secret', 'a string or Uint8Array');
    expect(type).toBeInstanceOf(TypeError);
    expect(type.code).toBe('ERR_INVALID_ARG_TYPE');
    expect(type.message).toBe('The "secret" argument must be a string or Uint8Array.');
    expect(invalidArgument('ttlMs', 'positive', 'value').code).toBe('ERR_INVALID_ARG_VALUE');
    expect(isPortcullisError(type)).toBe(false);
  });
});
