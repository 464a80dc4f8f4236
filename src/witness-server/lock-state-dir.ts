import { readFile, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Claims a witness state directory for this process: two witness processes on one directory
 * would each serialise requests in their own memory only, and could cosign a rollback. The
 * claim is a file with the owner's pid; one left by a process that died (kill -9, a crash) is
 * taken over, so a restart needs no manual step.
 *
 * @returns a function that gives the claim up.
 * @throws when a live process holds the directory.
 */
export async function lockStateDir (dir: string): Promise<() => Promise<void>> {
  const path = join(dir, 'witness.lock')
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 })
      return async () => { await unlink(path).catch(() => {}) }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim())
    if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
      throw new Error(`another witness process (pid ${pid}) uses the state directory ${dir}`)
    }
    await unlink(path).catch(() => {})
  }
  throw new Error(`cannot claim the state directory ${dir} (${path} keeps coming back)`)
}
