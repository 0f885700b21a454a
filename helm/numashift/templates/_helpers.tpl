{{/* The chart's name, or nameOverride. */}}
{{- define "numashift.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's resource name: fullnameOverride, or release-chart (the release alone when it contains the chart's name). */}}
{{- define "numashift.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "numashift.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "numashift.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Selector labels of one component (service or agent): pass (list . "service"). */}}
{{- define "numashift.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ include "numashift.name" $root }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{- define "numashift.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{- define "numashift.databaseSecret" -}}
{{- .Values.database.existingSecret | default (printf "%s-database" (include "numashift.fullname" .)) }}
{{- end }}

{{- define "numashift.tokensSecret" -}}
{{- .Values.security.existingSecret | default (printf "%s-tokens" (include "numashift.fullname" .)) }}
{{- end }}

{{/* The URL agents reach the service at: the agent Service, which also routes to replicas that are not ready. */}}
{{- define "numashift.orchestratorUrl" -}}
{{- .Values.agent.orchestratorUrl | default (printf "http://%s-agents.%s.svc:%d" (include "numashift.fullname" .) .Release.Namespace (int .Values.service.port)) }}
{{- end }}
