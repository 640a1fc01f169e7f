package dev.flashsale.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events (events.k8s.io/v1) about a FlashSale, shown by {@code kubectl describe fs} and
 * {@code kubectl events}. An Event is a notification: failing to record one never fails a reconciliation.
 */
public final class EventRecorder {

    public static final String CONTROLLER = "flashsale.dev/operator";
    private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);
    // metav1.MicroTime: RFC 3339 with exactly six fractional digits
    private static final DateTimeFormatter MICRO_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX").withZone(ZoneOffset.UTC);
    private static final int MAX_NOTE = 1024;

    private final KubernetesClient client;
    private final String instance;
    private final Clock clock;

    public EventRecorder(KubernetesClient client, String instance, Clock clock) {
        this.client = client;
        this.instance = instance;
        this.clock = clock;
    }

    public void normal(HasMetadata about, String reason, String note) {
        record(about, "Normal", reason, note);
    }

    public void warning(HasMetadata about, String reason, String note) {
        record(about, "Warning", reason, note);
    }

    private void record(HasMetadata about, String type, String reason, String note) {
        String namespace = about.getMetadata().getNamespace();
        Instant now = clock.instant();
        // named like client-go's recorder: <object>.<hex nanos>, unique enough and sorted by time
        String name = about.getMetadata().getName() + "." + Long.toHexString(now.getEpochSecond() * 1_000_000_000L + now.getNano());
        Event event = new EventBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withEventTime(new MicroTime(MICRO_TIME.format(now)))
                .withReportingController(CONTROLLER)
                .withReportingInstance(instance.length() > 128 ? instance.substring(0, 128) : instance)
                .withAction("Reconcile")
                .withReason(reason)
                .withType(type)
                .withNote(note.length() > MAX_NOTE ? note.substring(0, MAX_NOTE) : note)
                .withRegarding(new ObjectReferenceBuilder().withApiVersion(about.getApiVersion()).withKind(about.getKind())
                        .withNamespace(namespace).withName(about.getMetadata().getName())
                        .withUid(about.getMetadata().getUid()).build())
                .build();
        try {
            client.events().v1().events().inNamespace(namespace).resource(event).create();
            log.info("{} event {} for {}/{}: {}", type, reason, namespace, about.getMetadata().getName(), note);
        } catch (KubernetesClientException e) {
            log.warn("could not record {} event {} for {}/{}: {}", type, reason, namespace,
                    about.getMetadata().getName(), e.getMessage());
        }
    }
}
