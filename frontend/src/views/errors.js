// Where an API error belongs on a form, in a sentence a person can read.

/** "nickname: must be ..." -> "Nickname must be ..."; other sentences get a capital letter. */
export function sentence(text, field = null) {
  let words = String(text ?? '').trim()
  if (field && words.toLowerCase().startsWith(`${field.toLowerCase()}: `)) words = `${field} ${words.slice(field.length + 2)}`
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/**
 * Where each part of an error belongs: `{field: message}` for the form's fields, plus `form` for the rest.
 * The server names fields in `extra`; a 409 names the taken field only in its words, so look for it there.
 * A 401 (wrong nickname or password) is about the whole form: it must not say which one was wrong.
 */
export function placeError(error, fieldNames) {
  const placed = {}
  for (const problem of error.problems ?? []) {
    const field = problem.field.split('.').at(-1)
    if (fieldNames.includes(field) && !placed[field]) placed[field] = sentence(`${field} ${problem.message}`)
  }
  if (Object.keys(placed).length) return placed
  const mentioned = error.status === 401 ? null : fieldNames.find((name) => new RegExp(`\\b${name}\\b`, 'i').test(error.detail ?? ''))
  return { [mentioned ?? 'form']: sentence(error.detail, mentioned) }
}
