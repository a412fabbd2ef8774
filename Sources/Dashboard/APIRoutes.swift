import Alarms
import Hummingbird
import InfraJSON
import InfraMonitorCore

/// The JSON API behind the pages (docs/api.md).
enum APIRoutes {
    static func add(to router: Router<BasicRequestContext>, data: DashboardData, status: ServiceStatus) {
        let sources = data.sources
        router.get("/api/overview") { _, _ in
            let latest = try await sources.series.latestSamples()
            let alarms = try await data.alarmIndex()
            return json([
                "schedule": .string(status.schedule),
                "next_tick": await status.nextTick.map { .string($0.iso8601Milliseconds) } ?? .null,
                "ticks_skipped": .number(Double(await status.ticksSkipped)),
                "series": .array(latest.map { DashboardData.sampleJSON($0, alarms: alarms) }),
            ])
        }
        router.get("/api/series") { request, _ in
            let parameters = request.uri.queryParameters
            let range = parameters.get("range") ?? "24h"
            guard let seconds = DashboardData.ranges.first(where: { $0.0 == range })?.1 else {
                throw HTTPError(.badRequest, message: "range must be one of 3h, 24h, 7d, 30d, 90d")
            }
            let samples = try await sources.series.samples(
                metric: parameters.get("metric"),
                host: parameters.get("host"),
                since: Timestamp.now().adding(seconds: -seconds)
            )
            return json(["range": .string(range), "samples": .array(samples.map(DashboardData.sampleJSON))])
        }
        router.get("/api/executions") { _, _ in
            json(["executions": .array(try await sources.executions.list(limit: 200).map(DashboardData.executionJSON))])
        }
        router.get("/api/executions/:id") { _, context in
            let id = try context.parameters.require("id")
            guard let execution = try await sources.executions.execution(id: id) else {
                throw HTTPError(.notFound, message: "no execution \(id)")
            }
            let events = try await sources.executions.events(executionID: id)
            return json(["execution": DashboardData.executionJSON(execution), "events": .array(events.map(DashboardData.eventJSON))])
        }
        router.get("/api/targets") { _, _ in
            let targets = TargetStatus.fold(try await sources.targetHealth?.latestTargetHealth() ?? [])
            let unscraped = await sources.discovered?.unscraped(besides: targets) ?? []
            let problems = await sources.discovered?.problems ?? []
            return json([
                "targets": .array(targets.map(\.json) + unscraped.map(\.unknownJSON)), "problems": .array(problems.map(JSON.string)),
            ])
        }
        router.get("/api/alarms") { _, _ in
            let index = try await data.alarmIndex()
            let history = try await sources.alarms?.history(alarmName: nil, limit: AlarmsQuery.historyLimit) ?? []
            return json([
                "instances": .array(
                    index.states.map { entry in
                        [
                            "alarm": .string(entry.record.instance.alarmName), "id": .string(entry.record.instance.id),
                            "labels": .object(entry.record.instance.labels.mapValues(JSON.string)),
                            "metric": entry.metric.map(JSON.string) ?? .null, "state": .string(entry.record.state.rawValue),
                            "reason": .string(entry.record.reason), "since": .string(entry.record.since.iso8601Milliseconds),
                        ]
                    }
                ),
                "history": .array(
                    history.map { entry in
                        [
                            "alarm": .string(entry.instance.alarmName), "id": .string(entry.instance.id),
                            "time": .string(entry.time.iso8601Milliseconds), "old_state": .string(entry.oldState.rawValue),
                            "new_state": .string(entry.newState.rawValue), "reason": .string(entry.reason),
                        ]
                    }
                ),
            ])
        }
        router.get("/api/notifications") { _, _ in
            json(["notifications": .array(try await sources.notifications.recent(limit: 200).map(DashboardData.notificationJSON))])
        }
        router.get("/api/query") { request, _ in
            guard let sql = formValue(request, "sql") else {
                throw HTTPError(.badRequest, message: "add ?sql=SELECT ... to the URL")
            }
            let result: QueryTable
            do {
                result = try await data.query(sql)
            } catch let refusal as QueryRefusal {
                return json(["error": .string(refusal.description)], status: .badRequest)
            } catch let busy as QueryCapacityReached {
                return json(["error": .string(busy.description)], status: .serviceUnavailable)
            }
            if formValue(request, "format") == "csv" {
                var csv = response(DashboardData.csv(result), type: "text/csv; charset=utf-8")
                csv.headers[.contentDisposition] = "attachment; filename=\"query.csv\""
                return csv
            }
            return json(["columns": .array(result.columns.map { .string($0) }), "rows": .array(result.rows.map(JSON.array))])
        }
    }
}
