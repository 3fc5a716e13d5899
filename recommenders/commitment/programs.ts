import type {CommitmentRate} from './rates.js'

/**
 * Which commitment program can cover a billed service, decided per service from what each program
 * covers (the providers' own documentation, cited in docs/commitments.md). The bill's service
 * category alone is not enough: managed-Kubernetes control-plane fees are "Compute" in FOCUS, yet
 * no Savings Plan, reservation or committed use discount covers them.
 */
export interface CommitmentProgram {
  /** The program as the provider names it, printed in reasons and notes. */
  name: string
  /**
   * Whether provider-wide `commitments.rates` entries (no service) price it: true only for the
   * provider's flexible compute program, the one its defaults describe. A database reservation is
   * never priced at a compute discount.
   */
  providerWide: boolean
  /** Documented defaults to start from; empty when the discount depends on a quote (reservations). */
  defaults: readonly CommitmentRate[]
}

/** A service a program covers, or why none does. */
export type ServiceEligibility = {program: CommitmentProgram} | {ineligible: string}

const awsSource =
  'default: AWS Compute Savings Plans, approximate discounts for general-purpose Linux instances in us-east-1 (AWS Savings Plans pricing page); ' +
  'configure commitments.rates for yours'
const azureSource =
  'default: Azure savings plan for compute, approximate discounts for general-purpose VMs (Azure pricing calculator); Azure charges the same monthly ' +
  'or upfront; configure commitments.rates for yours'
const gcpSource =
  'default: GCP resource-based committed use discounts for general-purpose machine types, 37% (1 year) and 55% (3 years) as documented on the GCP ' +
  'committed use discounts page; no upfront option'
const cloudSqlSource =
  'default: Cloud SQL committed use discounts (spend-based), 25% (1 year) and 52% (3 years) as documented on the Cloud SQL CUD page; billed monthly, ' +
  'no upfront option'
const cloudRunSource =
  'default: GCP compute flexible committed use discounts, 28% (1 year) and 46% (3 years) as documented on the Cloud Run CUD page; billed monthly, no ' +
  'upfront option'
const otherSource =
  'default: a conservative generic discount (no catalog for this provider); configure commitments.rates'

const AWS_COMPUTE_SP: CommitmentProgram = {
  name: 'AWS Compute Savings Plans',
  providerWide: true,
  defaults: [
    {termYears: 1, payment: 'none', discount: 0.27, source: awsSource},
    {termYears: 1, payment: 'partial', discount: 0.3, source: awsSource},
    {termYears: 1, payment: 'all', discount: 0.32, source: awsSource},
    {termYears: 3, payment: 'none', discount: 0.46, source: awsSource},
    {termYears: 3, payment: 'partial', discount: 0.5, source: awsSource},
    {termYears: 3, payment: 'all', discount: 0.52, source: awsSource},
  ],
}
const AZURE_SAVINGS_PLAN: CommitmentProgram = {
  name: 'Azure savings plan for compute',
  providerWide: true,
  defaults: [
    {termYears: 1, payment: 'none', discount: 0.28, source: azureSource},
    {termYears: 1, payment: 'all', discount: 0.28, source: azureSource},
    {termYears: 3, payment: 'none', discount: 0.48, source: azureSource},
    {termYears: 3, payment: 'all', discount: 0.48, source: azureSource},
  ],
}
const GCP_RESOURCE_CUD: CommitmentProgram = {
  name: 'GCP resource-based committed use discounts (vCPU and memory)',
  providerWide: true,
  defaults: [
    {termYears: 1, payment: 'none', discount: 0.37, source: gcpSource},
    {termYears: 3, payment: 'none', discount: 0.55, source: gcpSource},
  ],
}
/** A provider finops has no catalog for: a generic program at a conservative discount. */
export const GENERIC_PROGRAM: CommitmentProgram = {
  name: 'commitment',
  providerWide: true,
  defaults: [
    {termYears: 1, payment: 'none', discount: 0.2, source: otherSource},
    {termYears: 3, payment: 'none', discount: 0.35, source: otherSource},
  ],
}

const quoted = (name: string): CommitmentProgram => ({name, providerWide: false, defaults: []})

interface ProviderTable {
  /** Normalized service name (see normalizeService) to the program covering it, or why none does. */
  services: Record<string, CommitmentProgram | {ineligible: string}>
  /** A service of an eligible category not in the table. */
  otherwise: (service: string) => string
}

const EKS_FEE = {
  ineligible:
    'Amazon EKS cluster (control plane) fees: no Savings Plan or reservation covers them (EKS worker nodes are billed, and committed, as Amazon EC2)',
}
const AKS_FEE = {
  ineligible:
    'AKS Standard/Premium tier (uptime SLA) fees: no reservation or savings plan covers them (AKS nodes are billed, and reserved, as Virtual Machines)',
}
const GKE_FEE = {
  ineligible:
    'GKE cluster management fees: no committed use discount covers them (GKE Standard nodes are billed, and committed, as Compute Engine)',
}

const rds = quoted('Amazon RDS reserved instances')
const elasticache = quoted('Amazon ElastiCache reserved nodes')
const opensearch = quoted('Amazon OpenSearch Service reserved instances')
const sagemaker = quoted('Amazon SageMaker Savings Plans')
const azureReservation = (what: string) => quoted(`Azure reservations (${what})`)
const gcpSpendCud = (what: string) => quoted(`${what} committed use discounts (spend-based)`)

const TABLES: Record<string, ProviderTable> = {
  aws: {
    services: {
      'elastic compute cloud': AWS_COMPUTE_SP,
      // Cost Explorer's SERVICE name for instance usage (EC2 - Other is storage and transfer).
      'elastic compute cloud - compute': AWS_COMPUTE_SP,
      ec2: AWS_COMPUTE_SP,
      lambda: AWS_COMPUTE_SP,
      fargate: AWS_COMPUTE_SP,
      'elastic container service': AWS_COMPUTE_SP,
      ecs: AWS_COMPUTE_SP,
      sagemaker,
      'sagemaker ai': sagemaker,
      'relational database service': rds,
      rds,
      aurora: rds,
      elasticache,
      'opensearch service': opensearch,
      'elasticsearch service': opensearch,
      redshift: quoted('Amazon Redshift reserved nodes'),
      memorydb: quoted('Amazon MemoryDB reserved nodes'),
      dynamodb: quoted('Amazon DynamoDB reserved capacity'),
      'elastic kubernetes service': EKS_FEE,
      'elastic container service for kubernetes': EKS_FEE,
      eks: EKS_FEE,
    },
    otherwise: (s) =>
      `no Savings Plan or reservation covers ${s} (Compute Savings Plans cover EC2, Fargate and Lambda; reservations cover RDS, ElastiCache, ` +
      `OpenSearch, Redshift, MemoryDB, DynamoDB); if your contract has one, add a commitments.rates entry with service: ${s}`,
  },
  microsoft: {
    services: {
      'virtual machines': AZURE_SAVINGS_PLAN,
      'virtual machine scale sets': AZURE_SAVINGS_PLAN,
      'app service': AZURE_SAVINGS_PLAN,
      functions: AZURE_SAVINGS_PLAN,
      'container instances': AZURE_SAVINGS_PLAN,
      'container apps': AZURE_SAVINGS_PLAN,
      'dedicated host': AZURE_SAVINGS_PLAN,
      'dedicated hosts': AZURE_SAVINGS_PLAN,
      'spring apps': AZURE_SAVINGS_PLAN,
      'sql database': azureReservation('SQL Database'),
      'sql managed instance': azureReservation('SQL Managed Instance'),
      'cosmos db': azureReservation('Cosmos DB'),
      'database for postgresql': azureReservation('Database for PostgreSQL'),
      'database for mysql': azureReservation('Database for MySQL'),
      'cache for redis': azureReservation('Cache for Redis'),
      'synapse analytics': azureReservation('Synapse Analytics'),
      'data explorer': azureReservation('Data Explorer'),
      'kubernetes service': AKS_FEE,
      aks: AKS_FEE,
    },
    otherwise: (s) =>
      `no reservation or savings plan covers ${s} (the savings plan covers VMs, App Service, Functions Premium, Container Instances/Apps, Dedicated ` +
      `Host, Spring Apps); if your contract has one, add a commitments.rates entry with service: ${s}`,
  },
  'google cloud': {
    services: {
      'compute engine': GCP_RESOURCE_CUD,
      'cloud sql': {
        name: 'Cloud SQL committed use discounts (spend-based)',
        providerWide: false,
        defaults: [
          {termYears: 1, payment: 'none', discount: 0.25, source: cloudSqlSource},
          {termYears: 3, payment: 'none', discount: 0.52, source: cloudSqlSource},
        ],
      },
      'cloud run': {
        name: 'GCP compute flexible committed use discounts',
        providerWide: false,
        defaults: [
          {termYears: 1, payment: 'none', discount: 0.28, source: cloudRunSource},
          {termYears: 3, payment: 'none', discount: 0.46, source: cloudRunSource},
        ],
      },
      'cloud spanner': gcpSpendCud('Spanner'),
      spanner: gcpSpendCud('Spanner'),
      alloydb: gcpSpendCud('AlloyDB'),
      'alloydb for postgresql': gcpSpendCud('AlloyDB'),
      memorystore: gcpSpendCud('Memorystore'),
      'memorystore for redis': gcpSpendCud('Memorystore'),
      'cloud bigtable': gcpSpendCud('Bigtable'),
      bigtable: gcpSpendCud('Bigtable'),
      'kubernetes engine': GKE_FEE,
    },
    otherwise: (s) =>
      `no committed use discount covers ${s} (resource-based CUDs cover Compute Engine vCPU and memory; spend-based CUDs cover Cloud SQL, Cloud Run, ` +
      `Spanner, AlloyDB, Memorystore, Bigtable); if your contract has one, add a commitments.rates entry with service: ${s}`,
  },
}

const PROVIDER_ALIASES: Record<string, string> = {
  aws: 'aws',
  'amazon web services': 'aws',
  microsoft: 'microsoft',
  azure: 'microsoft',
  'microsoft azure': 'microsoft',
  gcp: 'google cloud',
  google: 'google cloud',
  'google cloud': 'google cloud',
  'google cloud platform': 'google cloud',
}

/** The provider as finops keys its tables (lower case, aliases folded). */
export const normalizeProvider = (provider: string): string => {
  const p = provider.trim().toLowerCase()
  return PROVIDER_ALIASES[p] ?? p
}

/** A service name without case, repeated spaces or the vendor prefix the providers put on some names. */
export const normalizeService = (service: string): string =>
  service
    .trim()
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/^(amazon|aws|microsoft|azure)\s+/, '')

/**
 * The program that covers a provider's service, or why none does. Providers without a table get
 * the generic program (finops cannot tell which of their services are covered).
 */
export function commitmentProgram(provider: string, service: string): ServiceEligibility {
  const table = TABLES[normalizeProvider(provider)]
  if (!table) return {program: GENERIC_PROGRAM}
  const entry = table.services[normalizeService(service)]
  if (!entry) return {ineligible: table.otherwise(service || '(no service)')}
  return 'ineligible' in entry ? entry : {program: entry}
}

/** Whether usage no commitment covered counts as eligible spend (coverage, recommendations). */
export const isEligibleService = (provider: string, service: string): boolean =>
  'program' in commitmentProgram(provider, service)
