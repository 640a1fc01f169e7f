{{/* Names: 63 characters at most, like every Kubernetes label value and DNS label. */}}
{{- define "flashsale.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "flashsale.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "flashsale.operator.fullname" -}}
{{- printf "%s-operator" (include "flashsale.fullname" . | trunc 54 | trimSuffix "-") -}}
{{- end -}}

{{- define "flashsale.saleApi.fullname" -}}
{{- printf "%s-sale-api" (include "flashsale.fullname" . | trunc 54 | trimSuffix "-") -}}
{{- end -}}

{{- define "flashsale.operator.serviceAccountName" -}}
{{- default (include "flashsale.operator.fullname" .) .Values.operator.serviceAccount.name -}}
{{- end -}}

{{- define "flashsale.saleApi.serviceAccountName" -}}
{{- default (include "flashsale.saleApi.fullname" .) .Values.saleApi.serviceAccount.name -}}
{{- end -}}

{{/* Cluster-scoped names carry the namespace: two releases of the same name must not collide. */}}
{{- define "flashsale.operator.clusterRoleName" -}}
{{- printf "%s-%s" .Release.Namespace (include "flashsale.operator.fullname" .) -}}
{{- end -}}

{{/* The Lease the operator instances compete for (the leader-election Role names it). */}}
{{- define "flashsale.operator.leaseName" -}}
{{- include "flashsale.operator.fullname" . -}}
{{- end -}}

{{/* Labels. Call with (dict "ctx" $ "component" "operator"). */}}
{{- define "flashsale.selectorLabels" -}}
app.kubernetes.io/name: {{ include "flashsale.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "flashsale.labels" -}}
{{ include "flashsale.selectorLabels" . }}
helm.sh/chart: {{ printf "%s-%s" .ctx.Chart.Name .ctx.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/part-of: flashsale
{{- with .ctx.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* image reference; a digest pins the image and wins over the tag. Call with (dict "image" .Values.x.image "ctx" $). */}}
{{- define "flashsale.image" -}}
{{- if .image.digest -}}
{{- printf "%s@%s" .image.repository .image.digest -}}
{{- else -}}
{{- printf "%s:%s" .image.repository (default .ctx.Chart.AppVersion .image.tag) -}}
{{- end -}}
{{- end -}}

{{/* Both images have the user 65532 (deploy/docker); the pods run as that user, never as root. */}}
{{- define "flashsale.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "flashsale.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: [ALL]
{{- end -}}

{{/*
FLASHSALE_REDIS_URL for the operator and sale-api. The password is never rendered: it comes from
the Secret into REDIS_PASSWORD and Kubernetes expands $(REDIS_PASSWORD) in the URL, which must
therefore come after it in the env list.
*/}}
{{- define "flashsale.redisEnv" -}}
{{- $r := .Values.redis -}}
{{- if $r.urlSecret.name }}
- name: FLASHSALE_REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ $r.urlSecret.name }}
      key: {{ $r.urlSecret.key }}
{{- else }}
{{- $userinfo := "" }}
{{- if $r.auth.existingSecret }}
{{- $userinfo = printf "%s:$(REDIS_PASSWORD)@" $r.username }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $r.auth.existingSecret }}
      key: {{ $r.auth.passwordKey }}
{{- end }}
- name: FLASHSALE_REDIS_URL
  value: {{ printf "%s://%s%s:%d/%d" (ternary "rediss" "redis" $r.tls) $userinfo $r.host (int $r.port) (int $r.database) | quote }}
{{- end }}
{{- end -}}

{{/* Rules across values that a JSON schema cannot state clearly; rendered by the operator Deployment. */}}
{{- define "flashsale.validate" -}}
{{- if and (gt (int .Values.operator.replicaCount) 1) (not .Values.operator.leaderElection) -}}
{{- fail "operator.replicaCount > 1 needs operator.leaderElection=true: two instances would both write Redis and status." -}}
{{- end -}}
{{- if and .Values.kafka.sasl.mechanism (not .Values.kafka.sasl.existingSecret) -}}
{{- fail "kafka.sasl.mechanism is set: kafka.sasl.existingSecret must name the Secret with the SASL password." -}}
{{- end -}}
{{- if and .Values.saleApi.autoscaling.enabled (lt (int .Values.saleApi.autoscaling.maxReplicas) (int .Values.saleApi.autoscaling.minReplicas)) -}}
{{- fail "saleApi.autoscaling.maxReplicas must be at least saleApi.autoscaling.minReplicas." -}}
{{- end -}}
{{- if and .Values.saleApi.ingress.enabled .Values.saleApi.rateLimit.perIp.enabled (not .Values.saleApi.trustedProxies) -}}
{{- fail "saleApi.rateLimit.perIp.enabled with an Ingress needs saleApi.trustedProxies (the ingress controller's pod CIDR): otherwise sale-api sees the controller's address and every shopper shares one bucket. Set it or turn the per-IP limit off." -}}
{{- end -}}
{{- if and .Values.saleApi.ingress.tls.enabled (not .Values.saleApi.ingress.tls.secretName) -}}
{{- fail "saleApi.ingress.tls.enabled needs saleApi.ingress.tls.secretName." -}}
{{- end -}}
{{- if and (eq .Values.saleApi.auth.mode "none") (not .Values.saleApi.auth.allowUnauthenticatedShoppers) -}}
{{- fail (printf "saleApi.auth.mode=none lets anyone buy as anyone: a shopper is whoever the %s header says. It is for tests and benchmarks only; set saleApi.auth.allowUnauthenticatedShoppers=true to install it anyway, else use oidc (saleApi.auth.issuerUri) or trusted-header (saleApi.auth.gateways)." .Values.saleApi.auth.header) -}}
{{- end -}}
{{- if and .Values.saleApi.checkout.paymentUrl (not .Values.saleApi.checkout.webhookSecret.existingSecret) -}}
{{- fail "saleApi.checkout.paymentUrl needs saleApi.checkout.webhookSecret.existingSecret: without the webhook's secret sale-api cannot take the provider's confirmations, so shoppers would pay for holds that then expire." -}}
{{- end -}}
{{- if and .Values.networkPolicy.egress.enabled (not .Values.networkPolicy.enabled) -}}
{{- fail "networkPolicy.egress.enabled needs networkPolicy.enabled: the egress rules are part of sale-api's NetworkPolicy." -}}
{{- end -}}
{{- end -}}

{{/* The TCP port of an http(s) URL: the one it names, else the scheme's. */}}
{{- define "flashsale.urlPort" -}}
{{- $url := urlParse . -}}
{{- default (ternary "443" "80" (eq $url.scheme "https")) (regexFind "[0-9]+$" (regexFind ":[0-9]+$" $url.host)) -}}
{{- end -}}

{{/* Label matchers that scope alert and dashboard queries to this release's pods. */}}
{{- define "flashsale.saleApiSelector" -}}
namespace="{{ .Release.Namespace }}", application="sale-api"
{{- end -}}

{{- define "flashsale.operatorSelector" -}}
namespace="{{ .Release.Namespace }}", application="flashsale-operator"
{{- end -}}

{{/* Alert labels: severity plus monitoring.rules.additionalLabels. Call with (dict "ctx" $ "severity" "critical"). */}}
{{- define "flashsale.alertLabels" -}}
severity: {{ .severity }}
{{- with .ctx.Values.monitoring.rules.additionalLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* runbook_url annotation: the alert's section of docs/operations.md (its heading is the alert name). */}}
{{- define "flashsale.runbook" -}}
runbook_url: {{ printf "%s#%s" .ctx.Values.monitoring.rules.runbookBaseUrl (lower .alert) }}
{{- end -}}
