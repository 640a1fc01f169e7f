# The sale-api image with the shoppers' SPA. Expects the executable jar of `mvn -DskipTests package`
# and frontend/dist of `npm run build` (see .github/workflows/images.yml); build from the repository
# root:
#   docker build -f deploy/docker/sale-api.Dockerfile -t flashsale-sale-api .
FROM eclipse-temurin:17-jre

# the numeric user the chart runs the pods as (runAsNonRoot needs a numeric USER to verify)
RUN groupadd --system --gid 65532 flashsale \
 && useradd --system --uid 65532 --gid 65532 --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin flashsale

# owned by root, so the process cannot change its own code or the pages it serves;
# spring-boot:repackage leaves exactly one sale-api-*.jar (the plain one is *.jar.original)
COPY sale-api/target/sale-api-*.jar /app/sale-api.jar
COPY frontend/dist /app/spa
# flashsale.web.spa-dir: sale-api serves the SPA on its own origin (SpaConfiguration)
ENV FLASHSALE_WEB_SPADIR=/app/spa

USER 65532:65532
# 8080: API, SSE, SPA and probes; 9090: /actuator (the chart sets MANAGEMENT_SERVER_PORT)
EXPOSE 8080 9090
ENTRYPOINT ["java", "-jar", "/app/sale-api.jar"]
