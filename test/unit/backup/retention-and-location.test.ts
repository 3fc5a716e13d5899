import {describe, expect, it} from 'vitest'

import {describeLocation, parseLocation} from '../../../src/backup/location.js'
import {backupNameAt, isBackupName, parseManifest} from '../../../src/backup/manifest.js'
import {planRetention} from '../../../src/backup/retention.js'
import {expectFinopsError} from '../../helpers/index.js'

const NOW = new Date('2026-11-30T12:00:00Z')
// Hourly backups over the last 10 days, newest first.
const hourly = Array.from({length: 240}, (_, h) => {
  const at = new Date(NOW.getTime() - h * 3_600_000)
  return {name: backupNameAt(at), createdAt: at.toISOString()}
})

describe('planRetention', () => {
  it('keeps everything when no policy is set', () => {
    expect(planRetention(hourly, {}, NOW)).toEqual({keep: hourly.map((b) => b.name), remove: []})
  })

  it('keeps the newest N whatever order they are listed in', () => {
    const plan = planRetention([...hourly].reverse(), {keep: 24}, NOW)
    expect(plan.keep).toEqual(hourly.slice(0, 24).map((b) => b.name))
    expect(plan.remove).toHaveLength(216)
  })

  it('keeps every backup younger than keepDays, and a backup either rule keeps', () => {
    expect(planRetention(hourly, {keepDays: 3}, NOW).keep).toHaveLength(3 * 24 + 1)
    const both = planRetention(hourly, {keep: 100, keepDays: 1}, NOW)
    expect(both.keep).toHaveLength(100)
  })

  it('never removes the newest backup, even when it is older than keepDays', () => {
    const old = hourly.slice(200)
    const plan = planRetention(old, {keepDays: 1}, NOW)
    expect(plan.keep).toEqual([old[0]!.name])
    expect(plan.remove).toHaveLength(old.length - 1)
  })
})

describe('backup locations', () => {
  it('parses directories, prefixes and one named backup', () => {
    expect(parseLocation('s3://acme-backups/prod/finops')).toEqual({
      scheme: 's3',
      bucket: 'acme-backups',
      prefix: 'prod/finops/',
    })
    expect(parseLocation('gs://acme-backups')).toEqual({scheme: 'gs', bucket: 'acme-backups', prefix: ''})
    const named = parseLocation('s3://acme-backups/prod/finops-20261130T221500123Z.db')
    expect(named).toEqual({
      scheme: 's3',
      bucket: 'acme-backups',
      prefix: 'prod/',
      name: 'finops-20261130T221500123Z.db',
    })
    expect(describeLocation(named)).toBe('s3://acme-backups/prod/finops-20261130T221500123Z.db')
    expect(parseLocation('/mnt/backups/')).toEqual({scheme: 'file', dir: '/mnt/backups'})
  })

  it('refuses credentials in the URL without repeating them', () => {
    for (const url of [
      's3://AKIAEXAMPLEKEY:wJalrXUtnFEMIsecret@bucket/prefix',
      'gs://token-abc123@bucket/prefix',
      's3://bucket/prefix?X-Amz-Signature=deadbeefsecret',
    ]) {
      const error = expectFinopsError(() => parseLocation(url), {code: 'USAGE'})
      expect(`${error.message} ${error.suggestion}`).not.toMatch(
        /AKIAEXAMPLEKEY|wJalrXUtnFEMIsecret|abc123|deadbeefsecret/,
      )
    }
  })

  it('refuses other schemes, bad buckets, dot segments and store-like file names', () => {
    expectFinopsError(() => parseLocation('https://bucket.s3.amazonaws.com/x'), {code: 'USAGE'})
    expectFinopsError(() => parseLocation('s3://Bad_Bucket!/x'), {code: 'USAGE'})
    expectFinopsError(() => parseLocation('s3://bucket/../x'), {code: 'USAGE'})
    expectFinopsError(() => parseLocation('/backups/finops.db'), {code: 'USAGE'})
    expectFinopsError(() => parseLocation('  '), {code: 'USAGE'})
  })
})

describe('backup names and manifests', () => {
  it('names sort by time and are recognised; other names are not ours', () => {
    expect(backupNameAt(new Date('2026-11-30T22:15:00.123Z'))).toBe('finops-20261130T221500123Z.db')
    expect(isBackupName('finops-20261130T221500123Z.db')).toBe(true)
    for (const other of ['finops.db', 'finops-latest.db', 'finops-20261130T221500123Z.db.manifest.json'])
      expect(isBackupName(other)).toBe(false)
  })

  it('a manifest for another name, or of another format, is not ours', () => {
    const manifest = {
      format: 'finops-store-backup/1',
      name: 'finops-20261130T221500123Z.db',
      sha256: 'a'.repeat(64),
      bytes: 4096,
      createdAt: '2026-11-30T22:15:00.123Z',
      schema: {migrations: ['0001-costs'], latest: '0001-costs'},
      integrity: 'ok',
    }
    expect(parseManifest(JSON.stringify(manifest), manifest.name)).toEqual(manifest)
    expect(parseManifest(JSON.stringify(manifest), 'finops-20261130T221500124Z.db')).toBeUndefined()
    expect(parseManifest(JSON.stringify({...manifest, format: 'other/1'}), manifest.name)).toBeUndefined()
    expect(parseManifest('{not json', manifest.name)).toBeUndefined()
  })
})
