// What cameras send and what retention keeps, in `/metrics`:
// `minnow_frames_ingested_total{frame}` (stored, similar, no-detection), `minnow_frames_rejected_total`
// (unreadable), `minnow_frame_bytes_stored_total`, `minnow_frames_expired_total{reason}` (age,
// cap), and the gauges `minnow_frames_stored` / `minnow_frame_storage_bytes` the maintenance
// task sets. Key limits count their refusals themselves (`minnow_ingest_*_total{key}`).
import Prometheus

package struct CameraMetrics: Sendable {
    package let registry: PrometheusCollectorRegistry

    private static func name(_ metricName: String, _ unit: String? = nil, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "minnow", metricName: metricName, unitName: unit, helpText: help)
    }

    package static var quotaRefusals: MetricNameDescriptor {
        name("ingest_quota_exceeded", "total", "Frames refused with 429 because the key has used its dailyFrameQuota.")
    }

    package func ingested(_ status: FrameStatus, bytes: Int64) {
        registry.makeCounter(
            descriptor: Self.name(
                "frames_ingested", "total", "Camera frames read and recorded, by what retention did with the frame."),
            labels: [("frame", status.rawValue)]
        ).increment()
        if bytes > 0 {
            registry.makeCounter(descriptor: Self.name("frame_bytes_stored", "total", "Bytes of camera frames stored."))
                .increment(by: bytes)
        }
    }

    package func rejected() {
        registry.makeCounter(descriptor: Self.name("frames_rejected", "total", "Camera frames refused as unreadable."))
            .increment()
    }

    package func expired(old: Int, overCap: Int) {
        let descriptor = Self.name("frames_expired", "total", "Stored camera frames deleted by retention, by reason.")
        if old > 0 {
            registry.makeCounter(descriptor: descriptor, labels: [("reason", "age")]).increment(by: Int64(old))
        }
        if overCap > 0 {
            registry.makeCounter(descriptor: descriptor, labels: [("reason", "cap")]).increment(by: Int64(overCap))
        }
    }

    package func storedFrames(count: Int, bytes: Int64) {
        registry.makeGauge(descriptor: Self.name("frames_stored", nil, "Camera frames retention keeps now.")).set(
            Double(count))
        registry.makeGauge(
            descriptor: Self.name("frame_storage", "bytes", "Bytes of the camera frames retention keeps now.")
        ).set(Double(bytes))
    }

    package init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }
}
