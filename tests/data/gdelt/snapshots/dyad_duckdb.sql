SELECT
  *
FROM (
  SELECT
    COALESCE("t5"."month", "t7"."month") AS "month",
    "t7"."family",
    COALESCE("t7"."count", 0) AS "count",
    COALESCE("t7"."late", 0) AS "late",
    COALESCE("t5"."total_events", 0) AS "total_events",
    CASE
      WHEN COALESCE("t5"."total_events", 0) > 0
      THEN (
        CAST(COALESCE("t7"."count", 0) AS DOUBLE) * 1000000
      ) / CAST(COALESCE("t5"."total_events", 0) AS DOUBLE)
      ELSE CAST(NULL AS DOUBLE)
    END AS "per_million"
  FROM (
    SELECT
      "t2"."month",
      SUM("t2"."EVENTS") AS "total_events"
    FROM (
      SELECT
        "t0"."SQLDATE",
        "t0"."ADDED",
        "t0"."EVENTS",
        (
          "t0"."SQLDATE" + INTERVAL '30' DAY
        ) < "t0"."ADDED" AS "late",
        "t0"."SQLDATE" AS "day",
        (
          EXTRACT(year FROM "t0"."SQLDATE") * 100
        ) + EXTRACT(month FROM "t0"."SQLDATE") AS "month"
      FROM "gdelt_volume" AS "t0"
      WHERE
        "t0"."SQLDATE" >= MAKE_DATE(2024, 1, 1)
        AND "t0"."SQLDATE" <= MAKE_DATE(2024, 12, 31)
        AND NOT (
          (
            "t0"."SQLDATE" + INTERVAL '30' DAY
          ) < "t0"."ADDED"
        )
    ) AS "t2"
    GROUP BY
      1
  ) AS "t5"
  FULL OUTER JOIN (
    SELECT
      "t3"."month",
      "t3"."family",
      SUM(CAST(NOT (
        "t3"."late"
      ) AS INT)) AS "count",
      SUM(CAST("t3"."late" AS INT)) AS "late"
    FROM (
      SELECT
        "t1"."SQLDATE",
        "t1"."Actor1CountryCode",
        "t1"."Actor2CountryCode",
        "t1"."EventCode",
        CAST("t1"."DATEADDED" AS DATE) AS "ADDED",
        (
          "t1"."SQLDATE" + INTERVAL '30' DAY
        ) < CAST("t1"."DATEADDED" AS DATE) AS "late",
        "t1"."SQLDATE" AS "day",
        (
          EXTRACT(year FROM "t1"."SQLDATE") * 100
        ) + EXTRACT(month FROM "t1"."SQLDATE") AS "month",
        CASE
          WHEN "t1"."EventCode" IN ('036', '040', '041', '042', '043', '044', '045', '046')
          THEN 'visits'
          WHEN "t1"."EventCode" IN ('0312', '0332', '062', '072')
          THEN 'military'
          WHEN "t1"."EventCode" IN ('163')
          THEN 'sanctions'
          ELSE NULL
        END AS "family"
      FROM "gdelt_events" AS "t1"
      WHERE
        (
          (
            (
              "t1"."Actor1CountryCode" = 'RUS'
            ) AND (
              "t1"."Actor2CountryCode" = 'PRK'
            )
          )
          OR (
            (
              "t1"."Actor1CountryCode" = 'PRK'
            ) AND (
              "t1"."Actor2CountryCode" = 'RUS'
            )
          )
        )
        AND "t1"."SQLDATE" >= MAKE_DATE(2024, 1, 1)
        AND "t1"."SQLDATE" <= MAKE_DATE(2024, 12, 31)
    ) AS "t3"
    GROUP BY
      1,
      2
  ) AS "t7"
    ON "t5"."month" = "t7"."month"
) AS "t8"
ORDER BY
  "t8"."month" ASC,
  "t8"."family" ASC
