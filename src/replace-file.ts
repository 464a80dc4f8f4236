import { randomBytes } from 'node:crypto'
import { open, readFile, rename, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'

/** A file's text, or undefined when it does not exist (any other error is thrown). */
export async function readFileIfExists (path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

/**
 * Replaces a file durably: written aside, flushed, renamed over the old one, then the
 * directory flushed. Once it resolves, a crash or a power loss leaves the new text, never the
 * old one and never a torn file. For state that a process must not forget (a witness's).
 */
export async function replaceFile (path: string, text: string, mode = 0o600): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  const file = await open(temp, 'wx', mode)
  try {
    await file.writeFile(text)
    await file.sync()
  } catch (err) {
    await file.close()
    await unlink(temp).catch(() => {})
    throw err
  }
  await file.close()
  await rename(temp, path)
  const dir = await open(dirname(path), 'r')
  try {
    await dir.sync()
  } finally {
    await dir.close()
  }
}
