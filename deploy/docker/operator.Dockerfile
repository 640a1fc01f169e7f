# The operator image. Expects the shaded jar of `mvn -DskipTests package` (see
# .github/workflows/images.yml); build from the repository root:
#   docker build -f deploy/docker/operator.Dockerfile -t flashsale-operator .
FROM eclipse-temurin:17-jre

# the numeric user the chart runs the pods as (runAsNonRoot needs a numeric USER to verify)
RUN groupadd --system --gid 65532 flashsale \
 && useradd --system --uid 65532 --gid 65532 --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin flashsale

# owned by root, so the process cannot change its own code
COPY operator/target/flashsale-operator.jar /app/flashsale-operator.jar

USER 65532:65532
# /metrics, /healthz, /readyz
EXPOSE 8081
ENTRYPOINT ["java", "-jar", "/app/flashsale-operator.jar"]
