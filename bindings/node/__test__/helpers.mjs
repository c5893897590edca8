// Shared by the tests: the repository's golden vectors.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

export function vectors(name) {
  return JSON.parse(readFileSync(join(REPO, 'fixtures', 'vectors', name), 'utf8'))
}
