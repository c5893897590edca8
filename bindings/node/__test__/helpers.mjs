// Shared by the tests: the repository's golden vectors.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

export function vectors(name) {
  return JSON.parse(readFileSync(join(REPO, 'fixtures', 'vectors', name), 'utf8'))
}

export function fixture(...parts) {
  return readFileSync(join(REPO, 'fixtures', ...parts))
}

/**
 * A one-page PDF (A4) with an unused image of `padBytes` raw bytes in its
 * resources: a large file that every reader parses but nothing draws.
 */
export function paddedPdf(padBytes) {
  const side = Math.max(1, Math.ceil(Math.sqrt(padBytes)))
  const data = Buffer.alloc(side * side, 0x7f)
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Pad 4 0 R >> >> /Contents 5 0 R >>',
    null, // the image stream
    null, // the content stream
  ]
  const content = Buffer.from('BT /F1 12 Tf 72 770 Td ET\n')
  const chunks = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')]
  const offsets = []
  let length = chunks[0].length
  const push = (buffer) => {
    chunks.push(buffer)
    length += buffer.length
  }
  objects.forEach((body, i) => {
    offsets.push(length)
    const n = i + 1
    if (n === 4) {
      push(Buffer.from(`4 0 obj\n<< /Type /XObject /Subtype /Image /Width ${side} /Height ${side} /ColorSpace /DeviceGray /BitsPerComponent 8 /Length ${data.length} >>\nstream\n`))
      push(data)
      push(Buffer.from('\nendstream\nendobj\n'))
    } else if (n === 5) {
      push(Buffer.from(`5 0 obj\n<< /Length ${content.length} >>\nstream\n`))
      push(content)
      push(Buffer.from('\nendstream\nendobj\n'))
    } else {
      push(Buffer.from(`${n} 0 obj\n${body}\nendobj\n`))
    }
  })
  const xref = length
  let table = `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`
  for (const offset of offsets) table += `${String(offset).padStart(10, '0')} 00000 n \n`
  table += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  push(Buffer.from(table))
  return Buffer.concat(chunks)
}
