// Queries, by what a person sees and what assistive technologies announce.

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A form field by its visible label (the trailing « * » of required fields is ignored). */
export function field(page, label) {
  return page.getByLabel(new RegExp(`^\\s*${escape(label)}(\\s*\\*)?\\s*$`, 'i'));
}

/** A button by its exact accessible name. */
export function button(page, name) {
  return page.getByRole('button', { name, exact: true });
}

/** A link by its exact accessible name. */
export function link(page, name) {
  return page.getByRole('link', { name, exact: true });
}

/** The page's level-1 heading. */
export function heading(page) {
  return page.getByRole('heading', { level: 1 });
}

/** The error text attached to a field through aria-describedby. */
export async function fieldErrorText(locator) {
  return locator.evaluate((input) => {
    const ids = (input.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
    return ids.map((id) => document.getElementById(id)?.textContent || '').join(' ');
  });
}

/** The messages received by maildev for `to`, oldest first. */
export async function emailsTo(maildevUrl, to) {
  const response = await fetch(`${maildevUrl}/api/email`);
  if (!response.ok) throw new Error(`maildev answered ${response.status}`);
  const all = await response.json();
  return all.filter((m) => (m.to || []).some((t) => (t.address || '').toLowerCase() === to.toLowerCase()));
}

/** The first link of an email whose text or path matches, rebased onto `baseUrl`. */
export function linkIn(message, { text, pathPrefix }, baseUrl) {
  const html = message.html || '';
  const decode = (s) => s.replace(/&amp;/g, '&').replace(/&#x3D;|&#61;/g, '=');
  const anchors = [...html.matchAll(/<a\b[^>]*href=["']([^"']+)["'][^>]*>([\s\S]*?)<\/a>/gi)]
    .map(([, href, inner]) => ({ href: decode(href), label: inner.replace(/<[^>]+>/g, '').trim() }));
  let href = anchors.find((a) => text && a.label.includes(text))?.href
    || anchors.find((a) => pathPrefix && a.href.includes(pathPrefix))?.href;
  if (!href && pathPrefix) {
    const inText = (message.text || '').match(new RegExp(`https?://\\S*${escape(pathPrefix)}\\S*`));
    href = inText && inText[0];
  }
  if (!href) throw new Error(`no link « ${text || pathPrefix} » in the email « ${message.subject} »`);
  const url = new URL(href, baseUrl);
  return `${baseUrl}${url.pathname}${url.search}${url.hash}`;
}
