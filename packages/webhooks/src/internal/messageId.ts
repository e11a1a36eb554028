/**
 * Standard Webhooks' rule for a message id: 1–256 visible ASCII characters (`!`…`~`), no `.`. The
 * id is signed next to other parts and keys replay protection, so it must not be able to hold the
 * text that separates it from them: with `{id}.{timestamp}.{body}`, an id with a `.` could move
 * bytes between the id and its neighbours and still match the same signature. `alsoForbidden`
 * lists further characters a template puts next to the id (see `defineHmacScheme`).
 */
export function isMessageId(id: string, alsoForbidden = ''): boolean {
  if (id.length === 0 || id.length > 256) return false;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || c === 0x2e) return false;
  }
  if (alsoForbidden !== '') {
    for (let i = 0; i < alsoForbidden.length; i++) {
      if (id.includes(alsoForbidden.charAt(i))) return false;
    }
  }
  return true;
}

/** What {@link isMessageId} asks for, as a noun phrase (`1–256 visible ASCII characters without "."`). */
export function describeMessageId(alsoForbidden = ''): string {
  const chars = ['.', ...alsoForbidden].map((c) => `"${c}"`).join(', ');
  return `1–256 visible ASCII characters without ${chars}`;
}

/** What {@link isMessageId} asks for, for error messages (`must be …`). */
export function messageIdRule(alsoForbidden = ''): string {
  return `must be ${describeMessageId(alsoForbidden)}`;
}
