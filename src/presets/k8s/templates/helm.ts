import type { PresetContext, Template } from "../../define";
import { k8sSettings } from "./settings";

/** The Helm chart, in helm/ (its name, from Chart.yaml, is the Worker's). */
export const helmChart: Record<string, Template> = {
  "helm/Chart.yaml": (ctx) => `apiVersion: v2\nname: ${k8sSettings(ctx).name}\ndescription: ${ctx.project.name} on dotdo\ntype: application\nversion: 0.1.0\nappVersion: "${ctx.dotdoVersion}"\n`,
  "helm/values.yaml": values,
  "helm/templates/_helpers.tpl": () => HELPERS,
  "helm/templates/deployment.yaml": () => DEPLOYMENT,
  "helm/templates/service.yaml": () => SERVICE,
  "helm/templates/peers.yaml": () => PEERS,
  "helm/templates/hpa.yaml": () => HPA,
  "helm/templates/pdb.yaml": () => PDB,
  "helm/templates/servicemonitor.yaml": () => SERVICE_MONITOR,
  "helm/templates/ingress.yaml": () => INGRESS,
};

function values(ctx: PresetContext): string {
  const s = k8sSettings(ctx);
  return `image:
  repository: ${s.name}
  tag: latest
  pullPolicy: ${s.pullPolicy}

port: ${s.port}
storage: ${s.storage}
healthPath: ${s.healthPath}
readyPath: ${s.readyPath}

# R2_ENDPOINT, R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY and JWT_TOKEN come from this Secret, and
# DOTDO_CLUSTER_SECRET (required: the replicas sign the calls they forward to each other with it),
# and DOTDO_METRICS_TOKEN (metrics need it as a bearer token: the Ingress routes every path).
existingSecret: ${s.secretName}

autoscaling:
  minReplicas: ${s.minReplicas}
  maxReplicas: ${s.maxReplicas}
  targetCPUUtilizationPercentage: 70

podDisruptionBudget:
  minAvailable: 1

resources:
  requests: { cpu: 100m, memory: 256Mi }
  limits: { memory: 512Mi }

ingress:
  enabled: true
  className: nginx
  host: ""

serviceMonitor:
  # Needs the Prometheus Operator CRDs; the server answers Prometheus text at this path.
  enabled: false
  path: ${s.metricsPath}
  interval: 30s
  # The key of existingSecret holding DOTDO_METRICS_TOKEN, sent as the scrape's bearer token.
  tokenKey: DOTDO_METRICS_TOKEN
`;
}

const HELPERS = `{{- define "app.name" -}}{{ .Chart.Name }}{{- end -}}
{{- define "app.labels" -}}
app.kubernetes.io/name: {{ include "app.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
{{- define "app.selector" -}}
app.kubernetes.io/name: {{ include "app.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
`;

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "app.name" . }}
  labels: {{- include "app.labels" . | nindent 4 }}
spec:
  replicas: {{ .Values.autoscaling.minReplicas }}
  selector:
    matchLabels: {{- include "app.selector" . | nindent 6 }}
  template:
    metadata:
      labels: {{- include "app.labels" . | nindent 8 }}
    spec:
      # Objects checkpoint on SIGTERM: leave them time to finish.
      terminationGracePeriodSeconds: 30
      securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 }
      containers:
        - name: app
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          ports:
            - { name: http, containerPort: {{ .Values.port }} }
          env:
            - { name: PORT, value: "{{ .Values.port }}" }
            - { name: HOST, value: "0.0.0.0" }
            - { name: DOTDO_STORAGE, value: {{ .Values.storage | quote }} }
            # Replicas forward each object's calls to the pod whose lease holds it.
            - { name: DOTDO_HOLDER, valueFrom: { fieldRef: { fieldPath: metadata.name } } }
            - { name: POD_IP, valueFrom: { fieldRef: { fieldPath: status.podIP } } }
            - { name: DOTDO_ADVERTISE_URL, value: "http://$(POD_IP):{{ .Values.port }}" }
            - { name: DOTDO_CLUSTER_SECRET, valueFrom: { secretKeyRef: { name: {{ .Values.existingSecret }}, key: DOTDO_CLUSTER_SECRET } } }
            - { name: DOTDO_PEERS_DNS, value: "{{ include "app.name" . }}-peers" }
          envFrom:
            - secretRef: { name: {{ .Values.existingSecret }}, optional: true }
          readinessProbe:
            httpGet: { path: {{ .Values.readyPath }}, port: http }
            periodSeconds: 10
          livenessProbe:
            httpGet: { path: {{ .Values.healthPath }}, port: http }
            initialDelaySeconds: 10
            periodSeconds: 10
          resources: {{- toYaml .Values.resources | nindent 12 }}
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } }
`;

const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: {{ include "app.name" . }}
  labels: {{- include "app.labels" . | nindent 4 }}
spec:
  selector: {{- include "app.selector" . | nindent 4 }}
  ports:
    - { name: http, port: 80, targetPort: http }
`;

// Headless: no virtual IP, its name resolves to each ready pod (objects are placed over them).
const PEERS = `apiVersion: v1
kind: Service
metadata:
  name: {{ include "app.name" . }}-peers
  labels: {{- include "app.labels" . | nindent 4 }}
spec:
  clusterIP: None
  selector: {{- include "app.selector" . | nindent 4 }}
  ports:
    - { name: http, port: {{ .Values.port }}, targetPort: http }
`;

const HPA = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "app.name" . }}
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: {{ include "app.name" . }} }
  minReplicas: {{ .Values.autoscaling.minReplicas }}
  maxReplicas: {{ .Values.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target: { type: Utilization, averageUtilization: {{ .Values.autoscaling.targetCPUUtilizationPercentage }} }
`;

const PDB = `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "app.name" . }}
spec:
  minAvailable: {{ .Values.podDisruptionBudget.minAvailable }}
  selector:
    matchLabels: {{- include "app.selector" . | nindent 6 }}
`;

const SERVICE_MONITOR = `{{- if .Values.serviceMonitor.enabled }}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "app.name" . }}
  labels: {{- include "app.labels" . | nindent 4 }}
spec:
  selector:
    matchLabels: {{- include "app.selector" . | nindent 6 }}
  endpoints:
    - port: http
      path: {{ .Values.serviceMonitor.path }}
      interval: {{ .Values.serviceMonitor.interval }}
      {{- if .Values.serviceMonitor.tokenKey }}
      authorization:
        type: Bearer
        credentials: { name: {{ .Values.existingSecret }}, key: {{ .Values.serviceMonitor.tokenKey }} }
      {{- end }}
{{- end }}
`;

const INGRESS = `{{- if .Values.ingress.enabled }}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ include "app.name" . }}
spec:
  ingressClassName: {{ .Values.ingress.className }}
  rules:
    - http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: {{ include "app.name" . }}
                port: { name: http }
      {{- with .Values.ingress.host }}
      host: {{ . }}
      {{- end }}
{{- end }}
`;
