"""The connector and transform names a job config may use (`plugin_name`), per section. The engine finds a
plugin by name case-insensitively and refuses a config naming one it does not have; the seed's error table
says a misspelled plugin_name is a 400. The lists are the connectors and transforms SeaTunnel 2.3.x ships
(its connector documentation); option `seatunnel.extra_plugins` adds a deployment's own."""

from __future__ import annotations

import difflib

SOURCES = (
    "Cassandra", "Clickhouse", "ClickhouseFile", "Doris", "DynamoDB", "Easysearch", "Elasticsearch", "FakeSource",
    "FtpFile", "Github", "Gitlab", "GoogleSheets", "Hbase", "HdfsFile", "Hive", "Http", "Hudi", "Iceberg",
    "InfluxDB", "IoTDB", "Jdbc", "Jira", "Kafka", "Kudu", "Lemlist", "LocalFile", "Maxcompute", "MongoDB",
    "MongoDB-CDC", "MySQL-CDC", "Neo4j", "Notion", "ObsFile", "OceanBase", "OneSignal", "OpenMldb", "Oracle-CDC",
    "OssFile", "OssJindoFile", "Paimon", "Persistiq", "Postgres-CDC", "Pulsar", "Rabbitmq", "Redis", "RocketMQ",
    "S3File", "SftpFile", "Socket", "SqlServer-CDC", "StarRocks", "TDengine", "TiDB-CDC", "Web3j",
)
SINKS = (
    "Activemq", "AmazonDynamoDB", "AmazonSqs", "Assert", "Cassandra", "Clickhouse", "ClickhouseFile", "Console",
    "CosFile", "DataHub", "DingTalk", "Doris", "Druid", "Easysearch", "Elasticsearch", "Email", "Feishu",
    "FtpFile", "Hbase", "HdfsFile", "Hive", "Http", "Hudi", "Iceberg", "InfluxDB", "IoTDB", "Jdbc", "Kafka",
    "Kudu", "LocalFile", "Maxcompute", "MongoDB", "Neo4j", "ObsFile", "OssFile", "OssJindoFile", "Paimon",
    "Pulsar", "Rabbitmq", "Redis", "RocketMQ", "S3-Redshift", "S3File", "SelectDB", "Sentry", "SftpFile",
    "Slack", "Socket", "StarRocks", "TDengine", "Tablestore", "Typesense",
)
TRANSFORMS = (
    "Copy", "DynamicCompile", "Embedding", "FieldMapper", "Filter", "FilterRowKind", "JsonPath", "LLM",
    "Metadata", "Replace", "RowKindExtractor", "Split", "Sql",
)
CATALOGUE = {"source": SOURCES, "transform": TRANSFORMS, "sink": SINKS}


def catalogue(extra: list[str]) -> dict[str, dict[str, str]]:
    """Per section, lower-cased name -> name as documented; `extra` names are accepted in every section."""
    out = {}
    for kind, names in CATALOGUE.items():
        table = {n.lower(): n for n in names}
        table.update({n.lower(): n for n in extra})
        out[kind] = table
    return out


def unknown_message(kind: str, index: int, name: str, known: dict[str, str]) -> str:
    """The error for a plugin the section does not have: where, what, and the nearest names."""
    close = difflib.get_close_matches(name.lower(), list(known), n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(known[c] for c in close)}?" if close else ""
    return (f"{kind}[{index}]: plugin_name '{name}' is not a known {kind} plugin{hint} (add a deployment's own "
            "connectors with option seatunnel.extra_plugins)")
