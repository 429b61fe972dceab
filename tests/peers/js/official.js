// Runs every operation of the official Workfront JS client (npm `workfront-api`)
// against a served embedded Workfront and prints one JSON report:
// {"<operation>": {"ok": true|false, "detail": "..."}, ...}.
// Usage: node official.js <base url> <api key>   (NODE_PATH must find workfront-api)
'use strict'

const fs = require('fs')
const os = require('os')
const path = require('path')
// The client is written for node-fetch (through its isomorphic-fetch dependency),
// which only installs itself where no global fetch exists. Node 18+ has one
// (undici), which sends the client's form-data upload stream as the text
// "[object FormData]": remove it so the client runs as its authors ran it.
delete globalThis.fetch
delete globalThis.Headers
delete globalThis.Request
delete globalThis.Response
const {NodeApi} = require('workfront-api')

const [base, apiKey] = process.argv.slice(2)
const report = {}

function check(condition, message) {
    if (!condition) throw new Error(message)
}

async function run(name, fn) {
    try {
        const detail = await fn()
        report[name] = {ok: true, detail: String(detail === undefined ? '' : detail).slice(0, 300)}
    } catch (err) {
        const text = err && err.message ? err.message : JSON.stringify(err)
        report[name] = {ok: false, detail: String(text).slice(0, 500)}
    }
}

async function main() {
    const api = new NodeApi({url: base, version: '21.0', apiKey})
    let project, task, created, copied, noteTask

    await run('search', async () => {
        const projects = await api.search('proj', {}, ['name', 'status'])
        check(Array.isArray(projects) && projects.length > 0, 'no projects found')
        project = projects[0]
        const tasks = await api.search('task', {projectID: project.ID}, ['name', 'status'])
        check(Array.isArray(tasks) && tasks.length > 0, 'no tasks in the first project')
        task = tasks[0]
        return `${projects.length} projects`
    })
    await run('search_default_path', async () => {
        // the client's default path is /attask/api-internal (docs/api-notes.md §4 "Paths")
        const internal = new NodeApi({url: base, apiKey})
        const rows = await internal.search('proj', {}, ['name'])
        check(Array.isArray(rows) && rows.length > 0, 'nothing under /attask/api-internal')
        return rows.length
    })
    await run('get', async () => {
        const got = await api.get('proj', project.ID, ['name'])
        check(got.ID === project.ID && got.name === project.name, 'wrong project')
        const many = await api.get('task', [task.ID], ['name'])
        check(many && (Array.isArray(many) ? many.length === 1 : many.ID === task.ID), 'get by ids')
        return got.name
    })
    await run('count', async () => {
        const count = await api.count('task', {projectID: project.ID})
        check(typeof count === 'number' && count > 0, `count was ${count}`)
        return count
    })
    await run('report', async () => {
        const groups = await api.report('task', {status_1_GroupBy: true, ID_AggFunc: 'count'})
        check(groups && typeof groups === 'object' && Object.keys(groups).length > 0, 'empty')
        return JSON.stringify(groups).slice(0, 120)
    })
    await run('create', async () => {
        created = await api.create('task', {name: 'from workfront-api', projectID: project.ID})
        check(created && created.ID && created.name === 'from workfront-api', 'not created')
        return created.ID
    })
    await run('edit', async () => {
        const edited = await api.edit('task', created.ID, {name: 'edited by workfront-api'}, ['name'])
        check(edited.name === 'edited by workfront-api', 'not edited')
        return edited.name
    })
    await run('edit_multiple', async () => {
        const edited = await api.editMultiple('task', [{ID: created.ID, description: 'bulk'}])
        check(Array.isArray(edited) && edited.length === 1, 'bulk edit answer')
        return edited.length
    })
    await run('copy', async () => {
        copied = await api.copy('task', created.ID, {name: 'copied by workfront-api'})
        check(copied && copied.ID && copied.ID !== created.ID, 'not copied')
        return copied.ID
    })
    await run('execute_action', async () => {
        const out = await api.execute('proj', project.ID, 'calculateTimeline')
        return JSON.stringify(out)
    })
    await run('execute_move', async () => {
        const out = await api.execute('task', created.ID, 'move', {projectID: project.ID})
        return JSON.stringify(out)
    })
    await run('named_query', async () => {
        const statuses = await api.namedQuery('CSTEM', 'projectStatuses')
        check(Array.isArray(statuses) && statuses.length > 0, 'no project statuses')
        return statuses.length
    })
    await run('metadata_all', async () => {
        const meta = await api.metadata()
        check(meta && meta.objects && Object.keys(meta.objects).length > 0, 'no objects')
        return Object.keys(meta.objects).length
    })
    await run('metadata_object', async () => {
        const meta = await api.metadata('proj')
        for (const key of ['name', 'label', 'objCode', 'fields', 'references', 'collections']) {
            check(key in meta, `metadata lacks ${key}`)
        }
        return meta.objCode
    })
    await run('batch', async () => {
        const results = await api.batch(b => [
            b.count('task', {projectID: project.ID}),
            b.search('task', {projectID: project.ID}, ['name']),
            b.metadata('proj'),
        ])
        check(Array.isArray(results) && results.length === 3, 'batch answer')
        check(Array.isArray(results[1]), 'batch search is not a list')
        return JSON.stringify(results[0])
    })
    await run('batch_atomic', async () => {
        const out = await api.batch(
            b => [b.edit('task', created.ID, {description: 'atomic'})],
            true
        )
        check(out === undefined, 'atomic batch answered more than success')
        return 'success'
    })
    await run('upload', async () => {
        const file = path.join(os.tmpdir(), `wf-peer-${process.pid}.txt`)
        fs.writeFileSync(file, 'uploaded by workfront-api')
        const uploaded = await api.uploadFromStream(fs.createReadStream(file), 'peer.txt')
        fs.unlinkSync(file)
        check(uploaded && uploaded.handle, 'no handle')
        const doc = await api.create('document', {
            name: 'peer.txt',
            handle: uploaded.handle,
            docObjCode: 'TASK',
            objID: created.ID,
            currentVersion: {version: 'v1.0', fileName: 'peer.txt'},
        })
        check(doc && doc.ID, 'no document')
        return doc.ID
    })
    await run('comments', async () => {
        noteTask = task.ID
        const note = await api.create('note', {noteText: 'peer comment', noteObjCode: 'TASK', objID: noteTask})
        check(note && note.ID, 'no note')
        const notes = await api.search('note', {objID: noteTask}, ['noteText'])
        check(notes.some(n => n.noteText === 'peer comment'), 'comment not found')
        return notes.length
    })
    await run('delete', async () => {
        await api.remove('task', copied.ID, true)
        let gone = false
        try {
            await api.get('task', copied.ID)
        } catch (err) {
            gone = true
        }
        check(gone, 'the deleted task is still there')
        return 'deleted'
    })
    await run('login_logout', async () => {
        const session = new NodeApi({url: base, version: '21.0'})
        const who = await session.login('admin', 'admin')
        check(who.sessionID && who.userID, 'no session')
        const rows = await session.search('proj', {}, ['name'])
        check(rows.length > 0, 'no rows with the session')
        await session.logout()
        return who.userID
    })
    await run('api_key_get', async () => {
        const fresh = new NodeApi({url: base, version: '21.0'})
        const key = await fresh.getApiKey('admin', 'admin')
        check(typeof key === 'string' && key.length > 0, 'no key')
        return 'got a key'
    })
    await run('api_key_clear', async () => {
        const fresh = new NodeApi({url: base, version: '21.0'})
        await fresh.getApiKey('admin', 'admin')
        await fresh.clearApiKey()
        return 'cleared'
    })
}

main()
    .catch(err => {
        report.__harness__ = {ok: false, detail: String(err && err.stack)}
    })
    .then(() => {
        process.stdout.write(JSON.stringify(report))
    })
