// A downstream SCIM 2.0 service for the portal's push-mode tests: SCIMMY's
// User resource served by scimmy-routers, with users kept in memory.
//
//   node server.mjs TOKEN     prints "listening PORT" once it listens on 127.0.0.1
//
// Besides /scim/v2, two endpoints for the test itself:
//   GET  /_users               every stored user, as stored
//   POST /_outage?on=1|0       while on, every /scim request gets 503
import express from "express";
import SCIMMY from "scimmy";
import SCIMMYRouters from "scimmy-routers";
import {randomUUID} from "node:crypto";

const token = process.argv[2];
if (!token) {
    console.error("usage: node server.mjs TOKEN");
    process.exit(2);
}
const users = new Map();
let outage = false;

SCIMMY.Resources.declare(SCIMMY.Resources.User)
    .ingress((resource, instance) => {
        const now = new Date().toISOString();
        if (resource.id) {
            const old = users.get(resource.id);
            if (!old) throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`);
            const user = {...instance, id: resource.id, meta: {...old.meta, lastModified: now}};
            users.set(resource.id, user);
            return user;
        }
        for (const u of users.values()) {
            if (u.userName === instance.userName) throw new SCIMMY.Types.Error(409, "uniqueness", `userName ${instance.userName} is taken`);
        }
        const user = {...instance, id: randomUUID(), meta: {created: now, lastModified: now}};
        users.set(user.id, user);
        return user;
    })
    .egress((resource) => {
        if (resource.id) {
            const u = users.get(resource.id);
            if (!u) throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`);
            return u;
        }
        return [...users.values()];
    })
    .degress((resource) => {
        if (!users.delete(resource.id)) throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`);
    });

const app = express();
app.get("/_users", (req, res) => res.json([...users.values()]));
app.post("/_outage", (req, res) => {
    outage = req.query.on === "1";
    res.json({outage});
});
app.use("/scim/v2", (req, res, next) => {
    if (!outage) return next();
    res.status(503).type("application/scim+json").json({
        schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "503", detail: "Down for maintenance"});
});
app.use("/scim/v2", new SCIMMYRouters({
    type: "bearer",
    handler: (request) => {
        if (request.header("Authorization") !== `Bearer ${token}`) throw new Error("Authorization not detected!");
        return "portal";
    },
}));
const server = app.listen(0, "127.0.0.1", () => console.log(`listening ${server.address().port}`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
