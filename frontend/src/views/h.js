// The one way views build DOM: elements and text nodes, never HTML strings, so data cannot become markup.

import { mediaUrl } from '../media.js'

/**
 * Create an element with attributes, event listeners (`onclick: fn`) and children (nodes or text).
 * `null`, `undefined` and `false` attributes and children are skipped.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value == null || value === false) continue
    if (name.startsWith('on')) {
      // Only a function may listen: a string here would become inline script.
      if (typeof value !== 'function') throw new TypeError(`${name} must be a function`)
      element.addEventListener(name.slice(2).toLowerCase(), value)
    } else if ((name === 'href' || name === 'src') && !/^(#|\/(?!\/)|\.\/)/.test(String(value))) {
      // Links stay inside the app (`#/...`) or the site: no `javascript:` or other scheme from data.
      throw new TypeError(`${name} must be a path or a fragment, not ${String(value)}`)
    } else if (name === 'class') {
      element.className = value
    } else if (name === 'dataset') {
      Object.assign(element.dataset, value)
    } else {
      element.setAttribute(name, value === true ? '' : String(value))
    }
  }
  element.append(...flatten(children))
  return element
}

/** Replace an element's children (text is inserted as text). */
export function setChildren(element, ...children) {
  element.replaceChildren(...flatten(children))
  return element
}

/** Put a sentence in an element (an error line, say), or hide the element when there is none. */
export function showText(element, text) {
  setChildren(element, text ?? '')
  element.hidden = !text
}

function flatten(children) {
  return children.flat(Infinity).filter((child) => child != null && child !== false).map((child) => (child instanceof Node ? child : String(child)))
}

/** Initials for an avatar: "Alice Liddell" -> "AL". */
export function initials(name) {
  const words = String(name ?? '').trim().split(/\s+/).filter(Boolean)
  const letters = words.length > 1 ? [words[0], words.at(-1)] : words
  return letters.map((word) => [...word][0]).join('').toUpperCase() || '?'
}

/** A stable colour per person, so an avatar is recognisable at a glance. */
export function hueFor(id) {
  return (Number(id) * 137) % 360
}

/** A round avatar: the person's picture when they have one (`avatar_url`), else their initials. */
export function avatar(person, { size = 'md' } = {}) {
  const element = h('span', { class: `avatar avatar-${size}`, 'aria-hidden': 'true' }, initials(person?.name || person?.nickname))
  element.style.setProperty('--hue', String(hueFor(person?.id ?? 0)))
  const picture = mediaUrl(person?.avatar_url)
  if (picture) {
    const image = h('img', { class: 'avatar-image', alt: '' })
    image.src = picture // checked by mediaUrl: a path on the API, signed by it
    element.append(image)
  }
  return element
}
