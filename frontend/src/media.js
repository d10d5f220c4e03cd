// Where the API's own links (signed file and avatar URLs, `/api/files/...`) point when the site and the API
// live on different origins (VITE_API_URL): those links are paths on the API's origin.

let apiBase = ''

/** Set once at start-up, from the same base URL the API client uses ('' for the site's own origin). */
export function setMediaBase(baseUrl) {
  apiBase = String(baseUrl ?? '').replace(/\/+$/, '')
}

/** The URL to load an API link from; null for anything that is not a path on the API (no other scheme). */
export function mediaUrl(path) {
  if (typeof path !== 'string' || !/^\/api\/files\/\d+\/(thumbnail|content)\?/.test(path)) return null
  return `${apiBase}${path}`
}
