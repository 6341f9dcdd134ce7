/**
 * The functions of Athena engine version 3, one place: the names of Trino's documentation list of
 * functions and operators (docs/src/main/sphinx/functions/list.md of trinodb/trino; Athena engine
 * v3 is Trino), plus `t_cdf` and `t_pdf`, which Trino's own unit tests in the shared conformance
 * corpus call. Names are lower-case; Trino resolves function names case-insensitively.
 */
export const ATHENA_FUNCTIONS: ReadonlySet<string> = new Set(
  `
  abs acos all_match any_match any_value approx_distinct approx_most_frequent approx_percentile
  approx_set arbitrary array_agg array_distinct array_except array_first array_histogram
  array_intersect array_join array_last array_max array_min array_position array_remove
  array_sort array_union arrays_overlap asin at_timezone atan atan2 avg
  bar beta_cdf bing_tile bing_tile_at bing_tile_coordinates bing_tile_polygon bing_tile_quadkey
  bing_tile_zoom_level bing_tiles_around bit_count bitwise_and bitwise_and_agg bitwise_left_shift
  bitwise_not bitwise_or bitwise_or_agg bitwise_right_shift bitwise_right_shift_arithmetic
  bitwise_xor bool_and bool_or
  cardinality cast cbrt ceil ceiling char2hexint checksum chr classify classifier coalesce
  codepoint collect color combinations concat concat_ws contains contains_sequence
  convex_hull_agg corr cos cosh cosine_distance cosine_similarity count count_if covar_pop
  covar_samp crc32 cume_dist current_date current_groups current_time current_timestamp
  current_timezone current_user
  date date_add date_diff date_format date_parse date_trunc day day_of_month day_of_week
  day_of_year degrees dense_rank dow doy
  e element element_at empty_approx_set ends_with evaluate_classifier_predictions every
  exclude_columns extract exp
  features filter first first_value flatten floor format format_datetime format_number from_base
  from_base32 from_base64 from_base64url from_big_endian_32 from_big_endian_64
  from_encoded_polyline from_geojson_geometry from_hex from_ieee754_32 from_ieee754_64
  from_iso8601_date from_iso8601_timestamp from_iso8601_timestamp_nanos from_unixtime
  from_unixtime_nanos from_utf8 fusion
  geometric_mean geometry_collect_agg geometry_from_hadoop_shape geometry_invalid_reason
  geometry_nearest_points geometry_to_bing_tiles geometry_union geometry_union_agg
  great_circle_distance greatest
  hamming_distance hash_counts histogram hmac_md5 hmac_sha1 hmac_sha256 hmac_sha512 hour
  human_readable_seconds
  if index infinity intersection intersection_cardinality inverse_beta_cdf inverse_normal_cdf
  is_finite is_infinite is_json_scalar is_nan
  jaccard_index json json_array json_array_contains json_array_get json_array_length json_exists
  json_extract json_extract_scalar json_format json_object json_parse json_query json_scalar
  json_serialize json_size json_value
  kurtosis
  lag last last_day_of_month last_value lead learn_classifier learn_libsvm_classifier
  learn_libsvm_regressor learn_regressor least length levenshtein_distance line_interpolate_point
  line_interpolate_points line_locate_point listagg ln localtime localtimestamp log log10 log2
  lower lpad ltrim luhn_check
  make_set_digest map map_agg map_concat map_entries map_filter map_from_entries map_keys
  map_union map_values map_zip_with match_number max max_by md5 merge merge_set_digest
  millisecond min min_by minute mod month multimap_agg multimap_from_entries murmur3
  nan next ngrams none_match normal_cdf normalize now nth_value ntile nullif numeric_histogram
  objectid objectid_timestamp
  parse_datetime parse_duration parse_data_size percent_rank permute pi position pow power prev
  qdigest_agg quarter
  radians rand random rank reduce reduce_agg regexp_count regexp_extract regexp_extract_all
  regexp_like regexp_position regexp_replace regexp_split regress regr_intercept regr_slope
  render repeat replace reverse rgb round row_number rpad rtrim
  second sequence set sha1 sha256 sha512 shuffle sign simplify_geometry sin sinh skewness slice
  soundex spatial_partitioning spatial_partitions split split_part split_to_map split_to_multimap
  spooky_hash_v2_32 spooky_hash_v2_64 sqrt
  st_area st_asbinary st_asewkb st_asewkt st_astext st_boundary st_buffer st_centroid st_collect
  st_contains st_convexhull st_coorddim st_crosses st_difference st_dimension st_disjoint
  st_distance st_endpoint st_envelope st_envelopeaspts st_equals st_exteriorring st_force2d
  st_force3d st_geometries st_geometryfromtext st_geometryn st_geometrytype st_geomfrombinary
  st_geomfromewkt st_geomfromkml st_interiorringn st_interiorrings st_intersection st_intersects
  st_isclosed st_isempty st_isring st_issimple st_isvalid st_length st_linefromtext st_linemerge
  st_linestring st_makeline st_makepolygon st_minimumboundingcircle st_multi st_multipoint
  st_normalize st_numgeometries st_numinteriorring st_numpoints st_orientedenvelope st_overlaps
  st_point st_pointn st_pointonsurface st_points st_polygon st_polygonize st_relate
  st_reduceprecision st_setsrid st_srid st_startpoint st_symdifference st_touches st_transform
  st_union st_voronoipolygons st_within st_x st_xmax st_xmin st_y st_ymax st_ymin st_z
  starts_with stddev stddev_pop stddev_samp strpos substr substring sum
  tan tanh tdigest_agg theta_sketch_cardinality theta_sketch_union timestamp_objectid timezone
  timezone_hour timezone_minute title_case to_base to_base32 to_base64 to_base64url
  to_big_endian_32 to_big_endian_64 to_char to_date to_encoded_polyline to_geojson_geometry
  to_geometry to_hex to_ieee754_32 to_ieee754_64 to_iso8601 to_milliseconds
  to_spherical_geography to_timestamp to_unixtime to_utf8 transform transform_keys
  transform_values translate trim trim_array truncate try try_cast typeof
  upper url_decode url_encode url_extract_fragment url_extract_host url_extract_parameter
  url_extract_path url_extract_protocol url_extract_port url_extract_query uuid
  value_at_quantile values_at_quantiles var_pop var_samp variance version
  week week_of_year width_bucket wilson_interval_lower wilson_interval_upper with_timezone
  word_stem
  xxhash64
  year year_of_week yow
  zip zip_with
  t_cdf t_pdf
  `
    .split(/\s+/)
    .filter((name) => name !== ""),
);

/**
 * The aggregate functions of Athena engine v3 (Trino's `SHOW FUNCTIONS` of type aggregate) a
 * runbook may call; a call of one of them without OVER aggregates.
 */
export const AGGREGATES = new Set(
  `approx_distinct approx_most_frequent approx_percentile approx_set arbitrary any_value array_agg
  avg bitwise_and_agg bitwise_or_agg bitwise_xor_agg bool_and bool_or checksum corr count count_if
  covar_pop covar_samp entropy every geometric_mean histogram kurtosis listagg map_agg map_union
  max max_by merge min min_by multimap_agg numeric_histogram regr_intercept regr_slope skewness
  stddev stddev_pop stddev_samp sum tdigest_agg var_pop var_samp variance`.split(/\s+/),
);

/**
 * DuckDB functions that runbooks written against the local engine reach for, with what to write
 * on Athena instead. A step that needs them says `dialect=duckdb` and runs locally only.
 */
export const DUCKDB_ONLY: Readonly<Record<string, string>> = {
  list_filter: "filter(array, x -> condition)",
  list_transform: "transform(array, x -> expression)",
  list_apply: "transform(array, x -> expression)",
  list_contains: "contains(array, value)",
  list_has: "contains(array, value)",
  list_has_any: "arrays_overlap(a, b)",
  list_sort: "array_sort(array)",
  list_distinct: "array_distinct(array)",
  list_unique: "cardinality(array_distinct(array))",
  list_concat: "concat(a, b)",
  list_cat: "concat(a, b)",
  list_value: "ARRAY[a, b, ...]",
  list_extract: "element_at(array, index)",
  list_element: "element_at(array, index)",
  list_aggregate: "reduce(array, initial, (s, x) -> ..., s -> s)",
  list_reduce: "reduce(array, initial, (s, x) -> ..., s -> s)",
  list_slice: "slice(array, start, length)",
  list_position: "array_position(array, value)",
  list_reverse: "reverse(array)",
  list: "array_agg(x)",
  array_length: "cardinality(array)",
  len: "length(string) or cardinality(array)",
  array_to_string: "array_join(array, ',')",
  string_agg: "array_join(array_agg(x), ',')",
  group_concat: "array_join(array_agg(x), ',')",
  string_split: "split(string, ',')",
  str_split: "split(string, ',')",
  regexp_matches: "regexp_like(string, pattern)",
  regexp_full_match: "regexp_like(string, '^pattern$')",
  strftime: "date_format(timestamp, '%Y-%m-%d')",
  strptime: "date_parse(string, '%Y-%m-%d')",
  epoch: "to_unixtime(timestamp)",
  epoch_ms: "from_unixtime(ms / 1000.0) or to_unixtime(timestamp) * 1000",
  today: "current_date",
  date_part: "extract(field FROM timestamp)",
  datediff: "date_diff('unit', start, end)",
  datepart: "extract(field FROM timestamp)",
  ifnull: "coalesce(a, b)",
  nvl: "coalesce(a, b)",
  instr: "strpos(string, substring)",
  prefix: "starts_with(string, prefix)",
  suffix: "ends_with(string, suffix)",
  json_extract_string: "json_extract_scalar(json, '$.path')",
  json_extract_path_text: "json_extract_scalar(json, '$.path')",
  struct_extract: "a dot: struct.field",
  arg_max: "max_by(x, y)",
  arg_min: "min_by(x, y)",
  median: "approx_percentile(x, 0.5)",
  unnest: "CROSS JOIN UNNEST(array) AS t(x)",
};
