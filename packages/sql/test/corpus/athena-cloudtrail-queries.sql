-- Published Athena queries over the CloudTrail table, written by others (packages/sql/test/
-- athena-corpus.test.ts runs each through the check). One entry per "-- source: <where it is
-- published>" line, the query below it as published, adapted only where the table is named:
-- every CloudTrail table name is cloudtrail_logs, and the year/month/day placeholders of
-- easttimor/aws-incident-response ('####', '##', 'xx') are given values. "-- adapted:" says what
-- else changed. Upstream mistakes are kept: the test lists each refusal with its reason.

-- source: https://github.com/mhmtayberk/aws-cloud-security-detection-pack/blob/b39c4a8e3d4732b419692783ee86d5d93d00d047/detections/sql/aws_access_key_exposure.sql
SELECT
  eventTime,
  eventName,
  userIdentity.arn AS actor_arn,
  sourceIPAddress,
  userAgent
FROM
  cloudtrail_logs
WHERE
  eventName = 'GetCallerIdentity'
  AND userIdentity.type = 'IAMUser'
  -- Filter out internal IPs if possible
  -- AND sourceIPAddress NOT LIKE '10.%'
ORDER BY
  eventTime DESC;

-- source: https://github.com/mhmtayberk/aws-cloud-security-detection-pack/blob/b39c4a8e3d4732b419692783ee86d5d93d00d047/detections/sql/cloudtrail_stop_logging.sql
SELECT
  eventTime,
  eventName,
  userIdentity.arn AS actor_arn,
  json_extract_scalar(requestParameters, '$.name') AS trail_name,
  sourceIPAddress,
  userAgent,
  requestParameters
FROM
  cloudtrail_logs
WHERE
  eventSource = 'cloudtrail.amazonaws.com'
  AND (
    eventName IN ('StopLogging', 'DeleteTrail')
    OR (
      eventName = 'UpdateTrail'
      AND json_extract_scalar(requestParameters, '$.isLogging') = 'false'
    )
  )
  AND (userIdentity.invokedBy IS NULL OR userIdentity.invokedBy = '') -- Exclude AWS Service actions
ORDER BY
  eventTime DESC;

-- source: https://github.com/mhmtayberk/aws-cloud-security-detection-pack/blob/b39c4a8e3d4732b419692783ee86d5d93d00d047/detections/sql/config_recorder_stop.sql
SELECT
  eventTime,
  eventName,
  userIdentity.arn AS actor_arn,
  json_extract_scalar(requestParameters, '$.configurationRecorderName') AS recorder_name,
  sourceIPAddress,
  userAgent
FROM
  cloudtrail_logs
WHERE
  eventName IN ('StopConfigurationRecorder', 'DeleteConfigurationRecorder')
ORDER BY
  eventTime DESC;

-- source: https://github.com/mhmtayberk/aws-cloud-security-detection-pack/blob/b39c4a8e3d4732b419692783ee86d5d93d00d047/detections/sql/console_login_without_mfa.sql
SELECT
  eventTime,
  eventName,
  userIdentity.arn AS user_arn,
  json_extract_scalar(additionalEventData, '$.MFAUsed') AS mfa_used,
  sourceIPAddress,
  userAgent
FROM
  cloudtrail_logs
WHERE
  eventName = 'ConsoleLogin'
  AND json_extract_scalar(responseElements, '$.ConsoleLogin') = 'Success'
  AND json_extract_scalar(additionalEventData, '$.MFAUsed') = 'No'
  -- Exclude SSO/Saml logins as MFA is handled by the IdP (e.g. Okta/AzureAD)
  -- We strictly target local IAM Users where MFA should be enforced by AWS
  AND userIdentity.type = 'IAMUser' 
ORDER BY
  eventTime DESC;

-- source: https://github.com/mhmtayberk/aws-cloud-security-detection-pack/blob/b39c4a8e3d4732b419692783ee86d5d93d00d047/detections/sql/ebs_snapshot_shared_externally.sql
SELECT
  eventTime,
  eventName,
  userIdentity.arn AS actor_arn,
  json_extract_scalar(requestParameters, '$.snapshotId') AS snapshot_id,
  -- Extracting who it was shared with (Account ID or 'all' for public)
  json_extract(requestParameters, '$.createVolumePermission') AS permissions_changes,
  sourceIPAddress,
  userAgent
FROM
  cloudtrail_logs
WHERE
  eventName = 'ModifySnapshotAttribute'
  AND (
    requestParameters LIKE '%"add":%' 
    AND (
       requestParameters LIKE '%"group": "all"%' -- Shared Publicly
       OR requestParameters LIKE '%"userId":%'   -- Shared with specific account
    )
  )
  -- Filter: Add 'AND requestParameters NOT LIKE "%TRUSTED_ACCOUNT_ID%"' to suppress known DR accounts
ORDER BY
  eventTime DESC;

-- source: https://github.com/mhmtayberk/aws-cloud-security-detection-pack/blob/b39c4a8e3d4732b419692783ee86d5d93d00d047/detections/sql/ec2_modify_user_data.sql
SELECT
  eventTime,
  eventName,
  userIdentity.arn AS actor_arn,
  json_extract_scalar(requestParameters, '$.instanceId') AS instance_id,
  sourceIPAddress,
  userAgent
FROM
  cloudtrail_logs
WHERE
  eventName = 'ModifyInstanceAttribute'
  AND json_extract_scalar(requestParameters, '$.attribute') = 'userData'
ORDER BY
  eventTime DESC;

-- source: https://github.com/mhmtayberk/aws-cloud-security-detection-pack/blob/b39c4a8e3d4732b419692783ee86d5d93d00d047/detections/sql/guardduty_detector_delete.sql
SELECT
  eventTime,
  eventName,
  userIdentity.arn AS actor_arn,
  json_extract_scalar(requestParameters, '$.detectorId') AS detector_id,
  sourceIPAddress,
  userAgent
FROM
  cloudtrail_logs
WHERE
  eventSource = 'guardduty.amazonaws.com'
  AND (
    eventName = 'DeleteDetector'
    OR (
      eventName = 'UpdateDetector'
      AND json_extract_scalar(requestParameters, '$.enable') = 'false'
    )
  )
  AND (userIdentity.invokedBy IS NULL OR userIdentity.invokedBy = '') -- Exclude AWS Service actions
ORDER BY
  eventTime DESC;

-- source: https://github.com/mhmtayberk/aws-cloud-security-detection-pack/blob/b39c4a8e3d4732b419692783ee86d5d93d00d047/detections/sql/iam_admin_policy_attach.sql
SELECT
  eventTime,
  eventName,
  userIdentity.arn AS actor_arn,
  json_extract_scalar(requestParameters, '$.policyArn') AS policy_arn,
  json_extract_scalar(requestParameters, '$.userName') AS target_user,
  json_extract_scalar(requestParameters, '$.roleName') AS target_role,
  json_extract_scalar(requestParameters, '$.groupName') AS target_group,
  sourceIPAddress,
  userAgent
FROM
  cloudtrail_logs
WHERE
  eventName IN ('AttachUserPolicy', 'AttachGroupPolicy', 'AttachRolePolicy')
  AND json_extract_scalar(requestParameters, '$.policyArn') LIKE '%:iam::aws:policy/AdministratorAccess'
  AND (userIdentity.invokedBy IS NULL OR userIdentity.invokedBy = '') -- Exclude AWS Service actions
ORDER BY
  eventTime DESC;

-- source: https://github.com/mhmtayberk/aws-cloud-security-detection-pack/blob/b39c4a8e3d4732b419692783ee86d5d93d00d047/detections/sql/iam_create_access_key_for_other_user.sql
SELECT
  eventTime,
  eventName,
  userIdentity.arn AS actor_arn,
  json_extract_scalar(requestParameters, '$.userName') AS target_user,
  responseElements,
  sourceIPAddress,
  userAgent
FROM
  cloudtrail_logs
WHERE
  eventName = 'CreateAccessKey'
  AND json_extract_scalar(requestParameters, '$.userName') IS NOT NULL
  -- Optional: Exclude if the actor name matches the target (requires complex string parsing in SQL)
  -- Generally, providing the userName parameter explicitly is rare for self-service
ORDER BY
  eventTime DESC;

-- source: https://github.com/mhmtayberk/aws-cloud-security-detection-pack/blob/b39c4a8e3d4732b419692783ee86d5d93d00d047/detections/sql/iam_policy_changes.sql
SELECT
  eventTime,
  eventName,
  requestParameters,
  userIdentity.arn AS actor_arn,
  sourceIPAddress,
  userAgent
FROM
  cloudtrail_logs
WHERE
  eventName IN (
    'PutUserPolicy', 'PutGroupPolicy', 'PutRolePolicy',
    'AttachUserPolicy', 'AttachGroupPolicy', 'AttachRolePolicy',
    'DetachUserPolicy', 'DetachGroupPolicy', 'DetachRolePolicy',
    'DeleteUserPolicy', 'DeleteGroupPolicy', 'DeleteRolePolicy',
    'DeletePolicy', 'DeletePolicyVersion'
  )
  AND (userIdentity.invokedBy IS NULL OR userIdentity.invokedBy = '')
ORDER BY
  eventTime DESC;

-- source: https://github.com/mhmtayberk/aws-cloud-security-detection-pack/blob/b39c4a8e3d4732b419692783ee86d5d93d00d047/detections/sql/iam_update_assume_role_policy_trust.sql
SELECT
  eventTime,
  eventName,
  userIdentity.arn AS actor_arn,
  json_extract_scalar(requestParameters, '$.roleName') AS role_name,
  json_extract_scalar(requestParameters, '$.policyDocument') AS new_policy_document,
  sourceIPAddress,
  userAgent
FROM
  cloudtrail_logs
WHERE
  eventName = 'UpdateAssumeRolePolicy'
ORDER BY
  eventTime DESC;

-- source: https://github.com/mhmtayberk/aws-cloud-security-detection-pack/blob/b39c4a8e3d4732b419692783ee86d5d93d00d047/detections/sql/kms_key_policy_changes.sql
SELECT
  eventTime,
  eventName,
  eventSource,
  userIdentity.arn AS actor_arn,
  requestParameters,
  sourceIPAddress,
  userAgent
FROM
  cloudtrail_logs
WHERE
  eventSource = 'kms.amazonaws.com'
  AND eventName = 'PutKeyPolicy'
ORDER BY
  eventTime DESC;

-- source: https://github.com/mhmtayberk/aws-cloud-security-detection-pack/blob/b39c4a8e3d4732b419692783ee86d5d93d00d047/detections/sql/kms_key_schedule_deletion.sql
SELECT
  eventTime,
  eventName,
  userIdentity.arn AS actor_arn,
  json_extract_scalar(requestParameters, '$.keyId') AS key_id,
  json_extract_scalar(requestParameters, '$.pendingWindowInDays') AS pending_window,
  sourceIPAddress,
  userAgent
FROM
  cloudtrail_logs
WHERE
  eventName = 'ScheduleKeyDeletion'
ORDER BY
  eventTime DESC;

-- source: https://github.com/mhmtayberk/aws-cloud-security-detection-pack/blob/b39c4a8e3d4732b419692783ee86d5d93d00d047/detections/sql/lambda_privilege_escalation.sql
SELECT
  eventTime,
  eventName,
  userIdentity.arn AS actor_arn,
  json_extract_scalar(requestParameters, '$.role') AS passed_role,
  sourceIPAddress,
  userAgent
FROM
  cloudtrail_logs
WHERE
  eventName IN ('CreateFunction20150331', 'UpdateFunctionConfiguration20150331v2', 'CreateFunction', 'UpdateFunctionConfiguration')
  AND requestParameters LIKE '%"role":%' 
  -- Optional: Filter for known admin roles
  -- AND json_extract_scalar(requestParameters, '$.role') LIKE '%Admin%'
ORDER BY
  eventTime DESC;

-- source: https://github.com/mhmtayberk/aws-cloud-security-detection-pack/blob/b39c4a8e3d4732b419692783ee86d5d93d00d047/detections/sql/organization_leave_account.sql
SELECT
  eventTime,
  eventName,
  userIdentity.arn AS actor_arn,
  sourceIPAddress,
  userAgent
FROM
  cloudtrail_logs
WHERE
  eventName = 'LeaveOrganization'
ORDER BY
  eventTime DESC;

-- source: https://github.com/mhmtayberk/aws-cloud-security-detection-pack/blob/b39c4a8e3d4732b419692783ee86d5d93d00d047/detections/sql/rds_snapshot_shared_externally.sql
SELECT
  eventTime,
  eventName,
  userIdentity.arn AS actor_arn,
  json_extract_scalar(requestParameters, '$.dBSnapshotIdentifier') AS snapshot_id,
  -- valuesToAdd contains the account IDs the snapshot is shared with
  json_extract(requestParameters, '$.valuesToAdd') AS shared_with_accounts,
  sourceIPAddress,
  userAgent
FROM
  cloudtrail_logs
WHERE
  eventName = 'ModifyDBSnapshotAttribute'
  AND json_extract_scalar(requestParameters, '$.attributeName') = 'restore'
  AND requestParameters LIKE '%"valuesToAdd"%'
  -- 'all' check for public sharing, though RDS often prevents this via other controls, API allows it
  AND (
      requestParameters LIKE '%"all"%' 
      OR json_array_length(json_extract(requestParameters, '$.valuesToAdd')) > 0
  )
ORDER BY
  eventTime DESC;

-- source: https://github.com/mhmtayberk/aws-cloud-security-detection-pack/blob/b39c4a8e3d4732b419692783ee86d5d93d00d047/detections/sql/root_account_usage.sql
SELECT
  eventTime,
  eventName,
  eventSource,
  awsRegion,
  sourceIPAddress,
  userAgent,
  userIdentity.arn AS user_arn,
  requestParameters,
  responseElements
FROM
  cloudtrail_logs
WHERE
  userIdentity.type = 'Root'
  AND (userIdentity.invokedBy IS NULL OR userIdentity.invokedBy = '') -- Exclude AWS service-on-behalf actions
  AND eventType != 'AwsServiceEvent' -- Exclude internal AWS service events
  AND sourceIPAddress != 'DNS Resolver' 
  AND eventName NOT IN ('ConsoleLogin') -- Handled by separate rule
ORDER BY
  eventTime DESC;

-- source: https://github.com/mhmtayberk/aws-cloud-security-detection-pack/blob/b39c4a8e3d4732b419692783ee86d5d93d00d047/detections/sql/route53_domain_transfer_lock_disable.sql
SELECT
  eventTime,
  eventName,
  userIdentity.arn AS actor_arn,
  json_extract_scalar(requestParameters, '$.domainName') AS domain_name,
  sourceIPAddress,
  userAgent
FROM
  cloudtrail_logs
WHERE
  eventName = 'DisableDomainTransferLock'
ORDER BY
  eventTime DESC;

-- source: https://github.com/mhmtayberk/aws-cloud-security-detection-pack/blob/b39c4a8e3d4732b419692783ee86d5d93d00d047/detections/sql/s3_bucket_policy_changes.sql
SELECT
  eventTime,
  eventName,
  eventSource,
  userIdentity.arn AS actor_arn,
  json_extract_scalar(requestParameters, '$.bucketName') AS bucket_name,
  requestParameters,
  sourceIPAddress,
  userAgent
FROM
  cloudtrail_logs
WHERE
  eventSource = 's3.amazonaws.com'
  AND eventName IN (
    'PutBucketPolicy',
    'DeleteBucketPolicy',
    'PutBucketAcl',
    'DeleteBucketAcl'
  )
  AND (userIdentity.invokedBy IS NULL OR userIdentity.invokedBy = '')
ORDER BY
  eventTime DESC;

-- source: https://github.com/mhmtayberk/aws-cloud-security-detection-pack/blob/b39c4a8e3d4732b419692783ee86d5d93d00d047/detections/sql/s3_bucket_public_access_put.sql
SELECT
  eventTime,
  eventName,
  userIdentity.arn AS actor_arn,
  json_extract_scalar(requestParameters, '$.bucketName') AS bucket_name,
  requestParameters,
  sourceIPAddress,
  userAgent
FROM
  cloudtrail_logs
WHERE
  eventName = 'DeleteBucketPublicAccessBlock'
  OR (
    eventName = 'PutBucketPublicAccessBlock'
    AND requestParameters LIKE '%false%' -- Quick check for disabling any of the 4 boolean flags
  )
ORDER BY
  eventTime DESC;

-- source: https://github.com/mhmtayberk/aws-cloud-security-detection-pack/blob/b39c4a8e3d4732b419692783ee86d5d93d00d047/detections/sql/s3_lifecycle_expiration_ransomware.sql
SELECT
  eventTime,
  eventName,
  userIdentity.arn AS actor_arn,
  json_extract_scalar(requestParameters, '$.bucketName') AS bucket_name,
  -- The lifecycle config is complex XML/JSON, manual review of the payload is often needed
  requestParameters,
  sourceIPAddress,
  userAgent
FROM
  cloudtrail_logs
WHERE
  eventName = 'PutBucketLifecycle'
ORDER BY
  eventTime DESC;

-- source: https://github.com/mhmtayberk/aws-cloud-security-detection-pack/blob/b39c4a8e3d4732b419692783ee86d5d93d00d047/detections/sql/s3_replication_rule_external.sql
SELECT
  eventTime,
  eventName,
  userIdentity.arn AS actor_arn,
  json_extract_scalar(requestParameters, '$.bucketName') AS source_bucket,
  json_extract_scalar(requestParameters, '$.replicationConfiguration.Role') AS replication_role,
  -- Note: Destination details are deep in the XML/JSON structure of replicationConfiguration
  requestParameters,
  sourceIPAddress,
  userAgent
FROM
  cloudtrail_logs
WHERE
  eventName = 'PutBucketReplication'
ORDER BY
  eventTime DESC;

-- source: https://github.com/mhmtayberk/aws-cloud-security-detection-pack/blob/b39c4a8e3d4732b419692783ee86d5d93d00d047/detections/sql/secrets_manager_access.sql
-- Tuning: Add sourceIPAddress whitelist for known VPN/office IPs

SELECT
  eventTime,
  eventName,
  userIdentity.arn AS actor_arn,
  userIdentity.type AS identity_type,
  sourceIPAddress,
  userAgent,
  json_extract_scalar(requestParameters, '$.secretId') AS secret_id
FROM
  cloudtrail_logs
WHERE
  eventSource = 'secretsmanager.amazonaws.com'
  AND eventName = 'GetSecretValue'
  AND errorCode IS NULL
  AND userIdentity.type = 'IAMUser'
  -- Optional: Add IP whitelist
  -- AND sourceIPAddress NOT IN ('203.0.113.0', '198.51.100.0')
ORDER BY
  eventTime DESC;

-- source: https://github.com/mhmtayberk/aws-cloud-security-detection-pack/blob/b39c4a8e3d4732b419692783ee86d5d93d00d047/detections/sql/security_group_changes.sql
SELECT
  eventTime,
  eventName,
  requestParameters,
  userIdentity.arn AS actor_arn,
  sourceIPAddress,
  userAgent
FROM
  cloudtrail_logs
WHERE
  eventSource = 'ec2.amazonaws.com'
  AND eventName IN ('AuthorizeSecurityGroupIngress', 'CreateSecurityGroup')
  AND (
    requestParameters LIKE '%0.0.0.0/0%'
    OR requestParameters LIKE '%::/0%'
  )
  AND (userIdentity.invokedBy IS NULL OR userIdentity.invokedBy = '')
ORDER BY
  eventTime DESC;

-- source: https://github.com/mhmtayberk/aws-cloud-security-detection-pack/blob/b39c4a8e3d4732b419692783ee86d5d93d00d047/detections/sql/security_group_ingress_open_world.sql
SELECT
  eventTime,
  eventName,
  userIdentity.arn AS actor_arn,
  json_extract_scalar(requestParameters, '$.groupId') AS security_group_id,
  requestParameters,
  sourceIPAddress,
  userAgent
FROM
  cloudtrail_logs
WHERE
  eventName = 'AuthorizeSecurityGroupIngress'
  AND requestParameters LIKE '%0.0.0.0/0%' 
  AND (
      requestParameters LIKE '%fromPort": 22,%' 
      OR requestParameters LIKE '%toPort": 22,%'
      OR requestParameters LIKE '%fromPort": 3389,%'
      OR requestParameters LIKE '%toPort": 3389,%'
  )
  -- Note: Correlation with 'RevokeSecurityGroupIngress' by same user within 1 minute
  -- would suggest automated testing (e.g. Terraform validation), but for safety we alert on OPEN.
ORDER BY
  eventTime DESC;

-- source: https://github.com/mhmtayberk/aws-cloud-security-detection-pack/blob/b39c4a8e3d4732b419692783ee86d5d93d00d047/detections/sql/ssm_session_abuse.sql
SELECT
  eventTime,
  eventName,
  eventSource,
  userIdentity.arn AS actor_arn,
  json_extract_scalar(requestParameters, '$.target') AS instance_id,
  sourceIPAddress,
  userAgent
FROM
  cloudtrail_logs
WHERE
  eventSource = 'ssm.amazonaws.com'
  AND eventName = 'StartSession'
ORDER BY
  eventTime DESC;

-- source: https://github.com/mhmtayberk/aws-cloud-security-detection-pack/blob/b39c4a8e3d4732b419692783ee86d5d93d00d047/detections/sql/sts_decode_authorization_message.sql
SELECT
  eventTime,
  eventName,
  userIdentity.arn AS actor_arn,
  -- encodedMessage is usually in parameters, but we just need to know they called the API
  sourceIPAddress,
  userAgent,
  errorMessage -- Should be null for success
FROM
  cloudtrail_logs
WHERE
  eventName = 'DecodeAuthorizationMessage'
ORDER BY
  eventTime DESC;

-- source: https://github.com/mhmtayberk/aws-cloud-security-detection-pack/blob/b39c4a8e3d4732b419692783ee86d5d93d00d047/detections/sql/suspicious_role_assumption.sql
SELECT
  eventTime,
  eventName,
  userIdentity.accountId AS source_account_id,
  userIdentity.arn AS source_arn,
  requestParameters, -- Contains roleArn being assumed
  sourceIPAddress,
  userAgent
FROM
  cloudtrail_logs
WHERE
  eventName = 'AssumeRole'
  AND eventSource = 'sts.amazonaws.com'
  AND errorCode IS NULL
  AND userIdentity.type = 'AWSAccount'
  -- TRUSTED ACCOUNT WHITELIST
  AND userIdentity.accountId NOT IN ('123456789012') 
ORDER BY
  eventTime DESC;

-- source: https://github.com/mhmtayberk/aws-cloud-security-detection-pack/blob/b39c4a8e3d4732b419692783ee86d5d93d00d047/detections/sql/unauthorized_api_calls.sql
-- IMPORTANT: This query returns individual events. In production, aggregate by userIdentity.arn
-- and alert only if COUNT(*) > 10 within a 5-minute window. Example:
--   SELECT userIdentity.arn, COUNT(*) as denial_count
--   FROM cloudtrail_logs
--   WHERE errorCode IN ('AccessDenied', 'Client.UnauthorizedOperation')
--   AND eventTime > current_timestamp - interval '5' minute
--   GROUP BY userIdentity.arn
--   HAVING COUNT(*) > 10
-- Note: This rule requires aggregation/thresholding in a SIEM. 
-- The SQL below lists individual events but normally you'd want COUNT(*) > X

SELECT
  eventTime,
  eventName,
  eventSource,
  errorCode,
  errorMessage,
  userIdentity.arn AS actor_arn,
  sourceIPAddress,
  userAgent
FROM
  cloudtrail_logs
WHERE
  (errorCode = 'AccessDenied' OR errorCode = 'Client.UnauthorizedOperation')
  AND (userIdentity.invokedBy IS NULL OR userIdentity.invokedBy = '')
ORDER BY
  eventTime DESC;

-- source: https://github.com/mhmtayberk/aws-cloud-security-detection-pack/blob/b39c4a8e3d4732b419692783ee86d5d93d00d047/detections/sql/vpc_flow_logs_delete.sql
SELECT
  eventTime,
  eventName,
  userIdentity.arn AS actor_arn,
  json_extract_scalar(requestParameters, '$.flowLogIds') AS flow_log_ids,
  sourceIPAddress,
  userAgent
FROM
  cloudtrail_logs
WHERE
  eventName = 'DeleteFlowLogs'
ORDER BY
  eventTime DESC;

-- source: https://github.com/easttimor/aws-incident-response/blob/954ded8f1162ffb2ca3947bc441d5e5f9376e93a/README.md
select eventTime, eventSource, eventName, errorCode, errorMessage, responseElements, awsRegion, userIdentity.arn, sourceIPAddress, userAgent
from cloudtrail_logs
and year = '2024' and month = '01'
and errorCode in ('Client.UnauthorizedOperation','Client.InvalidPermission.NotFound','Client.OperationNotPermitted','AccessDenied')
order by eventTime desc
limit 25

-- source: https://github.com/easttimor/aws-incident-response/blob/954ded8f1162ffb2ca3947bc441d5e5f9376e93a/README.md
select eventTime, eventSource, eventName, awsRegion, userIdentity.arn, sourceIPAddress, userAgent
from cloudtrail_logs
and year = '2024' and month = '01'
and sourceIPAddress = 'x.x.x.x'
order by eventTime desc
limit 25

-- source: https://github.com/easttimor/aws-incident-response/blob/954ded8f1162ffb2ca3947bc441d5e5f9376e93a/README.md
select eventTime, eventSource, eventName, awsRegion, errorCode, errorMessage, userIdentity.arn, sourceIPAddress, userAgent
from cloudtrail_logs
and year = '2024' and month = '01'
and eventName = 'ListBuckets'
limit 25

-- source: https://github.com/easttimor/aws-incident-response/blob/954ded8f1162ffb2ca3947bc441d5e5f9376e93a/README.md
select useridentity.principalId, useridentity.arn, useridentity.accountId, region
from cloudtrail_logs
where year = '2024' and month = '01'
and useridentity.accesskeyid = 'AKIAxxxxxxxxxxxxxxxx'
limit 1

-- source: https://github.com/easttimor/aws-incident-response/blob/954ded8f1162ffb2ca3947bc441d5e5f9376e93a/README.md
select eventtime, eventsource, eventname, sourceipaddress, errorcode, useragent
from cloudtrail_logs
where useridentity.accesskeyid = 'AKIAxxxxxxxxxxxxxxxx'
and year = '2024' and month = '01'

-- source: https://github.com/easttimor/aws-incident-response/blob/954ded8f1162ffb2ca3947bc441d5e5f9376e93a/README.md
select eventtime, eventsource, eventname, errorcode, sourceipaddress, useragent
from cloudtrail_logs
where year = '2024' and month = '01'
and userIdentity.arn = 'arn:aws:iam::000000000000:user/xxxxxxxx'
order by eventtime desc

-- source: https://github.com/easttimor/aws-incident-response/blob/954ded8f1162ffb2ca3947bc441d5e5f9376e93a/README.md
select eventtime, eventsource, eventname, errorcode, sourceipaddress, useragent
from cloudtrail_logs
where year = '2024' and month = '01'
and userIdentity.arn = 'arn:aws:iam::000000000000:user/xxxxxxxx'
and eventName not like 'Describe%'
and eventName not like 'List%'
and eventName not like 'Get%'
order by eventtime desc

-- source: https://github.com/easttimor/aws-incident-response/blob/954ded8f1162ffb2ca3947bc441d5e5f9376e93a/README.md
select useragent, count(*) as total
from cloudtrail_logs
where useridentity.accesskeyid = 'AKIAxxxxxxxxxxxxxxxx'
and year = '2024' and month = '01'
group by useragent
order by total desc

-- source: https://github.com/easttimor/aws-incident-response/blob/954ded8f1162ffb2ca3947bc441d5e5f9376e93a/README.md
select eventtime, eventsource, eventname, sourceipaddress, errorcode
from cloudtrail_logs
where year = '2024' and month = '01'
and useragent = 'seeAbove'

-- source: https://github.com/easttimor/aws-incident-response/blob/954ded8f1162ffb2ca3947bc441d5e5f9376e93a/README.md
select useragent, count(*) as total
from cloudtrail_logs
where year = '2024' and month = '01'
and userIdentity.userName = 'xxxxxx'
group by useragent
order by total desc

-- source: https://github.com/easttimor/aws-incident-response/blob/954ded8f1162ffb2ca3947bc441d5e5f9376e93a/README.md
select sourceipaddress, count(*) as total
from cloudtrail_logs
where year = '2024' and month = '01'
and useridentity.accesskeyid = 'AKIAxxxxxxxxxxxxxxxx'
group by sourceipaddress
order by total desc

-- source: https://github.com/easttimor/aws-incident-response/blob/954ded8f1162ffb2ca3947bc441d5e5f9376e93a/README.md
select eventtime, eventsource, eventname, errorcode, useragent
from cloudtrail_logs
where sourceipaddress = 'seeAbove'
and year = '2024'
and month = '01'

-- source: https://github.com/easttimor/aws-incident-response/blob/954ded8f1162ffb2ca3947bc441d5e5f9376e93a/README.md
select sourceipaddress, count(*) as total
from cloudtrail_logs
where year = '2024' and month = '01'
and userIdentity.userName = 'xxxxxx'
group by sourceipaddress
order by total desc

-- source: https://github.com/easttimor/aws-incident-response/blob/954ded8f1162ffb2ca3947bc441d5e5f9376e93a/README.md
select *
from cloudtrail_logs
where year = '2024' and month = '01' and day = '01'
and eventsource = 'ec2.amazonaws.com'
and eventname = 'ModifySnapshotAttribute'

-- source: https://github.com/easttimor/aws-incident-response/blob/954ded8f1162ffb2ca3947bc441d5e5f9376e93a/README.md
select *
from cloudtrail_logs
where year = '2024' and month = '01' and day = '01'
and eventname = 'ModifyInstanceAttribute'
and requestParameters like '%userData%'

-- source: https://github.com/easttimor/aws-incident-response/blob/954ded8f1162ffb2ca3947bc441d5e5f9376e93a/README.md
select *
from cloudtrail_logs
where year = '2024' and month = '01' and day = '01'
and eventname IN (
   'CreateNetworkAcl',
   'CreateNetworkAclEntry',
   'DeleteNetworkAcl',
   'DeleteNetworkAclEncry'
   )
order by eventtime desc

-- source: https://github.com/easttimor/aws-incident-response/blob/954ded8f1162ffb2ca3947bc441d5e5f9376e93a/README.md
select *
from cloudtrail_logs
where year = '2024' and month = '01' and day = '01'
and eventname IN (
   'AuthorizeSecurityGroupIngress',
   'AuthorizeSecurityGroupEgress'
   'CreateSecurityGroup',
   'ModifyInstanceAttribute'
   )
order by eventtime desc

-- source: https://github.com/easttimor/aws-incident-response/blob/954ded8f1162ffb2ca3947bc441d5e5f9376e93a/README.md
select *
from cloudtrail_logs
where year = '2024' and month = '01' and day = '01'
and eventname IN (
    'CreateTrafficMirrorFilter',
    'CreateTrafficMirrorFilterRule',
    'CreateTrafficMirrorSession',
    'CreateTrafficMirrorTarget'
    )

-- source: https://github.com/easttimor/aws-incident-response/blob/954ded8f1162ffb2ca3947bc441d5e5f9376e93a/README.md
select *
from cloudtrail_logs
where year = '2024' and month = '01' and day = '01'
and eventname IN (
    'CreateRoute',
    'CreateRouteTable',
    'DeleteRouteTable',
    'DeleteRoute',
    'DisassociateRouteTable',
    'ReplaceRoute',
    'ReplaceRouteTableAssociation' 
    )
order by eventtime desc

-- source: https://github.com/easttimor/aws-incident-response/blob/954ded8f1162ffb2ca3947bc441d5e5f9376e93a/README.md
select *
from cloudtrail_logs
where year = '2024' and month = '01' and day = '01'
and eventname IN (
    'CreateCustomerGateway',
    'DeleteCustomerGateway',
    'AttachInternetGateway',
    'CreateInternetGateway',
    'DeleteInternetGateway',
    'DetachInternetGateway'
)
order by eventtime desc

-- source: https://github.com/easttimor/aws-incident-response/blob/954ded8f1162ffb2ca3947bc441d5e5f9376e93a/README.md
select *
from cloudtrail_logs
where year = '2024' and month = '01' and day = '01'
and eventname IN ('DeleteTrail','StopLogging','UpdateTrail',
'PutEventSelectors')

-- source: https://github.com/easttimor/aws-incident-response/blob/954ded8f1162ffb2ca3947bc441d5e5f9376e93a/README.md
select *
from cloudtrail_logs
where year = '2024' and month = '01' and day = '01'
and eventsource = 'config.amazonaws.com'
and eventname IN ('DeleteConfigRule','DeleteOrganizationConfigRule',
'DeleteConfigurationAggregator','DeleteConfigurationRecorder',
'DeleteConformancePack','DeleteOrganizationConformancePack',
'DeleteDeliveryChannel','PutDeliveryChannel',
'DeleteRemediationConfiguration','DeleteRetentionConfiguration',
'PutConfigRule', 'PutConfigurationAggregator','PutConformancePack',
'PutOrganizationConfigRule','PutOrganizationConformancePack',
'PutRemediationConfigurations','PutRemediationExceptions',
'PutRetentionConfiguration',
'StopConfigurationRecorder')

-- source: https://github.com/easttimor/aws-incident-response/blob/954ded8f1162ffb2ca3947bc441d5e5f9376e93a/README.md
select *
from cloudtrail_logs
where year = '2024' and month = '01' and day = '01'
and eventname IN ('CreateFilter','CreateIPSet','CreateSampleFindings','CreateThreatIntelSet',
'DeleteDetector','DeleteMembers','DeletePublishingDestination','DeleteThreatIntelSet',
'DisassociateFromMasterAccount','DisassociateMembers','StopMonitoringMembers',
'UpdateDetector','UpdateFilter','UpdateIPSet','UpdatePublishingDestination','UpdateThreatIntelSet')
order by eventtime desc

-- source: https://github.com/easttimor/aws-incident-response/blob/954ded8f1162ffb2ca3947bc441d5e5f9376e93a/README.md
select *
from cloudtrail_logs
where year = '2024' and month = '01' and day = '01'
and eventname IN ('ListMembers','GetMembers',
'ListDetectors','GetDetector',
'ListFilters','GetFilter',
'ListIPSets','GetIPSet',
'ListThreatIntelSets','GetThreatIntelSet')
order by eventtime desc

-- source: https://github.com/easttimor/aws-incident-response/blob/954ded8f1162ffb2ca3947bc441d5e5f9376e93a/README.md
select *
from cloudtrail_logs
where year = '2024' and month = '01' and day = '01'
and eventname IN ('CreateArchiveRule','DeleteAnalyzer',
'UpdateArchiveRule','UpdateFindings')
order by eventtime desc

-- source: https://github.com/easttimor/aws-incident-response/blob/954ded8f1162ffb2ca3947bc441d5e5f9376e93a/README.md
select *
from cloudtrail_logs
where year = '2024' and month = '01' and day = '01'
and eventname IN ('DeleteAssessmentRun','DeleteAssessmentTarget',
'DeleteAssessmentTemplate','UnsubscribeFromEvent','UpdateAssessmentTarget')
order by eventtime desc

-- source: https://github.com/easttimor/aws-incident-response/blob/954ded8f1162ffb2ca3947bc441d5e5f9376e93a/README.md
select *
from cloudtrail_logs
where year = '2024' and month = '01' and day = '01'
and eventname IN ('ArchiveFindings','CreateFindingsFilter',
'DeleteMember','DisassociateFromMasterAccount','DisassociateMember',
'DisableMacie',
'UpdateFindingsFilter','UpdateMacieSession','UpdateMemberSession','DisableOrganizationAdminAccount',
'UpdateClassificationJob','UpdateFindingsFilter')
order by eventtime desc

-- source: https://github.com/easttimor/aws-incident-response/blob/954ded8f1162ffb2ca3947bc441d5e5f9376e93a/README.md
select *
from cloudtrail_logs
where year = '2024' and month = '01' and day = '01'
and eventsource = 'ec2.amazonaws.com'
and eventname = 'DeleteFlowLogs'

-- source: https://github.com/easttimor/aws-incident-response/blob/954ded8f1162ffb2ca3947bc441d5e5f9376e93a/README.md
select eventTime, eventSource, eventName, awsRegion, errorCode, errorMessage, userIdentity.arn, sourceIPAddress, requestParameters
from cloudtrail_logs
where year = '2024' and month = '01' and day = '01'
and eventsource = 's3.amazonaws.com'
and eventname in (
    'PutAccessPointPolicy',
    'PutAccountPublicAccessBlock',
    'PutBucketAcl',
    'PutBucketCORS',
    'PutBucketPolicy',
    'PutBucketPublicAccessBlock',
    'PutObjectAcl'
)
order by eventTime desc

-- source: https://github.com/easttimor/aws-incident-response/blob/954ded8f1162ffb2ca3947bc441d5e5f9376e93a/README.md
select eventTime, eventSource, eventName, awsRegion, errorCode, errorMessage, userIdentity.arn, sourceIPAddress, requestParameters
from cloudtrail_logs
where year = '2024' and month = '01' and day = '01'
and eventsource = 's3.amazonaws.com'
and eventname in (
    'PutBucketLogging',
    'PutBucketWebsite',
    'PutEncryptionConfiguration',
    'PutLifecycleConfiguration',
    'PutReplicationConfiguration',
    'ReplicateObject',
    'RestoreObject'
)
order by eventTime desc

-- source: https://github.com/easttimor/aws-incident-response/blob/954ded8f1162ffb2ca3947bc441d5e5f9376e93a/README.md
select *
from cloudtrail_logs
where year = '2024' and month = '01' and day = '01'
and eventsource = 'securityhub.amazonaws.com'
and eventname in ('BatchDisableStandards',
'DeleteActionTarget','DeleteMembers',
'DisableImportFindingsForProduct','DisableSecurityHub',
'DisassociateFromMasterAccount','DisassociateMembers',
'UpdateActionTarget','UpdateStandardsControl')

-- source: https://github.com/easttimor/aws-incident-response/blob/954ded8f1162ffb2ca3947bc441d5e5f9376e93a/README.md
select *
from cloudtrail_logs
where year = '2024' and month = '01' and day = '01'
and eventsource = 'securityhub.amazonaws.com'
and eventname in ('BatchUpdateFindings',
'DeleteInsight',
'UpdateFindings','UpdateInsight')

-- source: https://github.com/easttimor/aws-incident-response/blob/954ded8f1162ffb2ca3947bc441d5e5f9376e93a/README.md
select *
from cloudtrail_logs
where (year = '2024' and month = '01' and day = '01')
and eventname in ('DeleteFirewallManagerRuleGroups','DeleteIPSet',
'DeleteLoggingConfiguration','DeletePermissionPolicy','DeleteRegexPatternSet',
'DeleteRuleGroup','DeleteWebACL','DisassociateWebACL',
'PutLoggingConfiguration','PutPermissionPolicy',
'UpdateIPSet','UpdateRegexPatternSet','UpdateRuleGroup','UpdateWebACL')

-- source: https://github.com/aldosimon/tools-dump/blob/7c2ce099a5c455c24a21da2a658f88b3c534ba39/file/DFIR/script/athena-queries.md
SELECT * FROM cloudtrail_logs 
where useridentity.accesskeyid like '%AKIASTUFFHERE%' 
limit 10

-- source: https://github.com/aldosimon/tools-dump/blob/7c2ce099a5c455c24a21da2a658f88b3c534ba39/file/DFIR/script/athena-queries.md
SELECT * FROM cloudtrail_logs 
where useridentity.username like '%AKIASTUFFHERE%' 
limit 10

-- source: https://github.com/aldosimon/tools-dump/blob/7c2ce099a5c455c24a21da2a658f88b3c534ba39/file/DFIR/script/athena-queries.md
SELECT * FROM cloudtrail_logs 
where useridentity.accesskeyid like '%AKIASTUFFHERE%' 
and eventname='AttachUserPolicy' 
limit 10

-- source: https://github.com/aldosimon/tools-dump/blob/7c2ce099a5c455c24a21da2a658f88b3c534ba39/file/DFIR/script/athena-queries.md
SELECT * FROM cloudtrail_logs 
where useridentity.accesskeyid like '%AKIASTUFFHERE%' 
and eventname='CreateAccessKey' 
limit 10

-- source: https://github.com/aldosimon/tools-dump/blob/7c2ce099a5c455c24a21da2a658f88b3c534ba39/file/DFIR/script/athena-queries.md
SELECT * FROM cloudtrail_logs WHERE json_extract_scalar(responseelements, '$.accessKey.accessKeyId') IS NOT NULL

-- source: https://github.com/aldosimon/tools-dump/blob/7c2ce099a5c455c24a21da2a658f88b3c534ba39/file/DFIR/script/athena-queries.md
SELECT eventtime, eventname, useridentity, sourceipaddress, useragent, requestparameters, responseelements FROM cloudtrail_logs where eventname = 'CreateBucket' and requestparameters like '%we-stole-ur-data-%'

-- source: https://github.com/skyuecx0630/aws-samples/blob/fa3c37135274346a8e02f2bba179d7d50e5652cb/athena/cloudtrail.md
SELECT
 useridentity.arn,
 eventname,
 sourceipaddress,
 eventtime
FROM cloudtrail_logs
LIMIT 100

-- source: https://github.com/cloudstateu/AWSARCH0519/blob/ec5f083227b3b1b6fcbb3b87fedd2f3315adafe6/DAY4/D4-L3-CloudTrailLogs/RootActivities.sql
select count (*) as TotalEvents, eventname, useridentity.invokedby
from cloudtrail_logs
where eventtime >= '2018-01-01T00:00:00Z' 
and useridentity.type = 'Root'
group by useridentity.username, eventname, useridentity.invokedby
order by TotalEvents desc

-- source: https://github.com/cloudstateu/AWSARCH0519/blob/ec5f083227b3b1b6fcbb3b87fedd2f3315adafe6/DAY4/D4-L3-CloudTrailLogs/console_login.sql
select useridentity.username, sourceipaddress, eventtime
from cloudtrail_logs
where eventname = 'ConsoleLogin'
and eventtime >= '2018-11-04T00:00:00Z'
order by eventtime desc

-- source: https://github.com/cloudstateu/AWSARCH0519/blob/ec5f083227b3b1b6fcbb3b87fedd2f3315adafe6/DAY4/D4-L3-CloudTrailLogs/event_errors.sql
select count (*) as TotalEvents, eventname, errorcode, errormessage 
from cloudtrail_logs
where errorcode is not null
and eventtime >= '2018-11-01T00:00:00Z' 
group by eventname, errorcode, errormessage
order by TotalEvents desc
limit 10

-- source: https://github.com/cloudstateu/AWSARCH0519/blob/ec5f083227b3b1b6fcbb3b87fedd2f3315adafe6/DAY4/D4-L3-CloudTrailLogs/most_active_users.sql
select count (*) as TotalEvents, useridentity.username
from cloudtrail_logs
where eventtime >= '2018-12-05T00:00:00Z' 
and useridentity.type = 'IAMUser'
group by useridentity.username
order by TotalEvents desc

-- source: https://github.com/cloudstateu/AWSARCH0519/blob/ec5f083227b3b1b6fcbb3b87fedd2f3315adafe6/DAY4/D4-L3-CloudTrailLogs/sg_changes.sql
select eventname, useridentity.username, sourceIPAddress, eventtime, requestparameters from cloudtrail_logs
where (requestparameters like '%sg-0d3e1594cac5f282e%')
and eventtime > '2018-01-15T00:00:00Z'
order by eventtime asc

-- source: https://github.com/cloudstateu/AWSARCH0519/blob/ec5f083227b3b1b6fcbb3b87fedd2f3315adafe6/DAY4/D4-L3-CloudTrailLogs/who_terminated.sql
select useridentity.principalId, sourceipaddress, eventtime
from cloudtrail_logs
where eventname = 'TerminateInstances'
and eventtime >= '2018-11-01T00:00:00Z'
order by eventtime desc

-- source: https://github.com/akshayah-ns-10/AWS-Threat-Detection-Monitoring/blob/c360f699697cbe2d3083736c82044fc17a4f6ef3/1-Athena-Queries/1-FailedLogins.sql
SELECT
  userIdentity.userName AS user,
  sourceIPAddress AS ip,
  COUNT(*) AS failed_attempts
FROM cloudtrail_logs
WHERE eventName = 'ConsoleLogin'
  AND errorMessage IS NOT NULL
GROUP BY userIdentity.userName, sourceIPAddress
HAVING COUNT(*) > 5
ORDER BY failed_attempts DESC
LIMIT 50

-- source: https://github.com/akshayah-ns-10/AWS-Threat-Detection-Monitoring/blob/c360f699697cbe2d3083736c82044fc17a4f6ef3/1-Athena-Queries/2-IAMChanges.sql
SELECT
  eventTime,
  eventName,
  userIdentity.userName,
  sourceIPAddress
FROM cloudtrail_logs
WHERE eventSource = 'iam.amazonaws.com'
  AND eventName IN ('CreateUser', 'DeleteUser', 'AttachRolePolicy', 'DetachRolePolicy', 
                    'PutUserPolicy', 'UpdateUser', 'CreateRole', 'DeleteRole')
ORDER BY eventTime DESC
LIMIT 50

-- source: https://github.com/akshayah-ns-10/AWS-Threat-Detection-Monitoring/blob/c360f699697cbe2d3083736c82044fc17a4f6ef3/1-Athena-Queries/3-RootAccntUsage.sql
SELECT
  eventTime,
  eventName,
  sourceIPAddress,
  userAgent
FROM cloudtrail_logs
WHERE userIdentity.type = 'Root'
ORDER BY eventTime DESC
LIMIT 20

-- source: https://github.com/akshayah-ns-10/AWS-Threat-Detection-Monitoring/blob/c360f699697cbe2d3083736c82044fc17a4f6ef3/1-Athena-Queries/4-RegionAccess.sql
SELECT
  eventTime,
  eventName,
  awsRegion,
  userIdentity.userName,
  sourceIPAddress
FROM cloudtrail_logs
WHERE awsRegion NOT IN ('ap-south-1') 
ORDER BY eventTime DESC
LIMIT 20

-- source: https://github.com/akshayah-ns-10/AWS-Threat-Detection-Monitoring/blob/c360f699697cbe2d3083736c82044fc17a4f6ef3/1-Athena-Queries/5-HighRiskActions.sql
SELECT
  eventTime,
  eventName,
  userIdentity.userName,
  sourceIPAddress
FROM cloudtrail_logs
WHERE eventName IN ('DeleteBucket', 'PutBucketPolicy', 'DeleteObject', 
                    'AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress',
                    'ModifyVpcPeeringConnectionOptions')
ORDER BY eventTime DESC
LIMIT 20

-- source: https://github.com/akshayah-ns-10/AWS-Threat-Detection-Monitoring/blob/c360f699697cbe2d3083736c82044fc17a4f6ef3/1-Athena-Queries/6-BulkSusChanges.sql
SELECT
  userIdentity.userName,
  eventName,
  COUNT(*) AS delete_count
FROM cloudtrail_logs
WHERE eventName LIKE 'Delete%'
GROUP BY userIdentity.userName, eventName
HAVING COUNT(*) > 3
ORDER BY delete_count DESC

-- source: https://github.com/akshayah-ns-10/AWS-Threat-Detection-Monitoring/blob/c360f699697cbe2d3083736c82044fc17a4f6ef3/1-Athena-Queries/7-ErrorCode.sql
SELECT
  errorMessage,
  COUNT(*) AS occurrences
FROM cloudtrail_logs
WHERE errorMessage IS NOT NULL
GROUP BY errorMessage
ORDER BY occurrences DESC
LIMIT 20

-- source: https://github.com/akshayah-ns-10/AWS-Threat-Detection-Monitoring/blob/c360f699697cbe2d3083736c82044fc17a4f6ef3/1-Athena-Queries/8-TopSourceIPs.sql
SELECT
  sourceIPAddress,
  COUNT(*) AS event_count
FROM cloudtrail_logs
GROUP BY sourceIPAddress
ORDER BY event_count DESC
LIMIT 20

-- source: https://github.com/akshayah-ns-10/AWS-Threat-Detection-Monitoring/blob/c360f699697cbe2d3083736c82044fc17a4f6ef3/1-Athena-Queries/9-HighVolAPICalls.sql
SELECT
  userIdentity.userName,
  eventName,
  COUNT(*) AS call_count
FROM cloudtrail_logs
GROUP BY userIdentity.userName, eventName
HAVING COUNT(*) > 50
ORDER BY call_count DESC
LIMIT 20

-- source: https://github.com/AlexeiVartoumian/algorithmicProblems/blob/4c00699712ea3373f72cec58acf76eaf8fe5622b/hjm/yhyh.sql
SELECT DISTINCT useridentity.username,
       eventtime,
       eventname,
       sourceipaddress
FROM cloudtrail_logs
WHERE 
    -- Email-like patterns
    useridentity.username LIKE '%@%.%'
    -- Looking for numeric patterns that might be SSN-like
    OR (
        LENGTH(REGEXP_REPLACE(useridentity.username, '[^0-9]', '')) >= 9 
        AND LENGTH(REGEXP_REPLACE(useridentity.username, '[^0-9]', '')) <= 11
    )
    -- Looking for sensitive keywords
    OR LOWER(useridentity.username) LIKE '%password%'
    OR LOWER(useridentity.username) LIKE '%secret%'
    OR LOWER(useridentity.username) LIKE '%key%'
    OR LOWER(useridentity.username) LIKE '%token%'
    OR LOWER(useridentity.username) LIKE '%pwd%'
    OR LOWER(useridentity.username) LIKE '%credential%'
ORDER BY eventtime DESC

-- source: https://github.com/AlexeiVartoumian/algorithmicProblems/blob/4c00699712ea3373f72cec58acf76eaf8fe5622b/hjm/yhyh.sql
SELECT aws_region,
       useridentity.username,
       COUNT(*) as action_count
FROM cloudtrail_logs
WHERE 
    useridentity.username LIKE '%@%.%'
    OR (
        LENGTH(REGEXP_REPLACE(useridentity.username, '[^0-9]', '')) >= 9
        AND LENGTH(REGEXP_REPLACE(useridentity.username, '[^0-9]', '')) <= 11
    )
GROUP BY aws_region, useridentity.username
ORDER BY action_count DESC

-- source: https://github.com/AlexeiVartoumian/algorithmicProblems/blob/4c00699712ea3373f72cec58acf76eaf8fe5622b/hjm/yhyh.sql
SELECT useridentity.username,
       eventname,
       COUNT(*) as action_count
FROM cloudtrail_logs
WHERE (
    useridentity.username LIKE '%@%.%'
    OR LENGTH(REGEXP_REPLACE(useridentity.username, '[^0-9]', '')) >= 9
)
AND (
    eventname LIKE '%Secret%'
    OR eventname LIKE '%Password%'
    OR eventname LIKE '%Credential%'
    OR eventname LIKE '%Key%'
)
GROUP BY useridentity.username, eventname
ORDER BY action_count DESC

-- source: https://github.com/AlexeiVartoumian/algorithmicProblems/blob/4c00699712ea3373f72cec58acf76eaf8fe5622b/hjm/yhyh.sql
SELECT 
    eventtime,
    eventname,
    useridentity.username,
    sourceipaddress,
    awsregion,
    requestparameters,
    responseelements
FROM cloudtrail_logs
WHERE 
    eventsource = 'servicecatalog.amazonaws.com'
ORDER BY eventtime DESC
LIMIT 1000

-- source: https://github.com/AlexeiVartoumian/algorithmicProblems/blob/4c00699712ea3373f72cec58acf76eaf8fe5622b/hjm/yhyh.sql
SELECT 
    eventtime,
    eventname,
    useridentity.username,
    requestparameters
FROM cloudtrail_logs
WHERE 
    eventsource = 'servicecatalog.amazonaws.com'
    AND eventname IN (
        'CreatePortfolio',
        'CreateProduct',
        'CreateProvisioningArtifact',
        'UpdateProduct',
        'UpdateProvisioningArtifact',
        'UpdatePortfolio',
        'ProvisionProduct',
        'UpdateProvisionedProduct'
    )
ORDER BY eventtime DESC
LIMIT 1000

-- source: https://github.com/AlexeiVartoumian/algorithmicProblems/blob/4c00699712ea3373f72cec58acf76eaf8fe5622b/hjm/yhyh.sql
SELECT DISTINCT useridentity.username,
       eventtime,
       eventname,
       sourceipaddress
FROM cloudtrail_logs
WHERE 
    year = '2024' AND month = '01' AND day IN ('01', '02', '03')
    AND (
        -- Email-like patterns
        useridentity.username LIKE '%@%.%'
        -- Looking for sensitive keywords
        OR LOWER(useridentity.username) LIKE '%password%'
        OR LOWER(useridentity.username) LIKE '%secret%'
        OR LOWER(useridentity.username) LIKE '%key%'
        OR LOWER(useridentity.username) LIKE '%token%'
        OR LOWER(useridentity.username) LIKE '%pwd%'
        OR LOWER(useridentity.username) LIKE '%credential%'
    )
ORDER BY eventtime DESC

-- source: https://github.com/AlexeiVartoumian/algorithmicProblems/blob/4c00699712ea3373f72cec58acf76eaf8fe5622b/hjm/yhyh.sql
SELECT awsregion,
       useridentity.username,
       COUNT(*) as action_count
FROM cloudtrail_logs
WHERE 
    year = '2024' AND month = '01' AND day IN ('01', '02', '03')
    AND useridentity.username LIKE '%@%.%'
GROUP BY awsregion, useridentity.username
ORDER BY action_count DESC

-- source: https://github.com/AlexeiVartoumian/algorithmicProblems/blob/4c00699712ea3373f72cec58acf76eaf8fe5622b/hjm/yhyh.sql
SELECT useridentity.username,
       eventname,
       COUNT(*) as action_count
FROM cloudtrail_logs
WHERE 
    year = '2024' AND month = '01' AND day IN ('01', '02', '03')
    AND useridentity.username LIKE '%@%.%'
    AND (
        eventname LIKE '%Secret%'
        OR eventname LIKE '%Password%'
        OR eventname LIKE '%Credential%'
        OR eventname LIKE '%Key%'
    )
GROUP BY useridentity.username, eventname
ORDER BY action_count DESC

-- source: https://github.com/rt1011/iamRoles/blob/f4b18c551322f0a436b6acaa7c4377bf7bff6a77/cloudtrail.sql
SELECT 
    eventTime,
    eventName,
    userIdentity.arn AS user_arn,
    userIdentity.type AS user_type,
    eventSource,
    awsRegion,
    sourceIPAddress,
    requestParameters,
    responseElements,
    errorCode,
    errorMessage,
    CONCAT(
        COALESCE(requestParameters.resourceId, ''),
        COALESCE(requestParameters.bucketName, ''),
        COALESCE(requestParameters.functionName, ''),
        COALESCE(requestParameters.groupId, ''),
        COALESCE(requestParameters.policyArn, ''),
        COALESCE(requestParameters.roleName, ''),
        COALESCE(requestParameters.ruleName, '')
    ) AS resource_name
FROM 
    cloudtrail_logs
WHERE 
    eventName IN ('CreateResource', 'PutResource', 'DeleteResource',
                  'CreateBucket', 'PutBucket', 'DeleteBucket',
                  'CreateFunction', 'UpdateFunction', 'DeleteFunction',
                  'CreateRole', 'UpdateRole', 'DeleteRole',
                  'CreatePolicy', 'PutPolicy', 'DeletePolicy',
                  'CreateRule', 'PutRule', 'DeleteRule')
ORDER BY 
    eventTime DESC
LIMIT 100

-- source: https://github.com/rt1011/iamRoles/blob/f4b18c551322f0a436b6acaa7c4377bf7bff6a77/join.sql
WITH assume_role_events AS (
  SELECT
    eventTime AS assumeTime,
    userIdentity.arn AS caller_arn,
    responseElements.roleArn AS role_assumed,
    responseElements.assumedRoleUser.arn AS assumed_session_arn,
    userIdentity.principalId AS assumed_by_principal,
    sourceIPAddress AS assume_ip
  FROM cloudtrail_logs
  WHERE eventName = 'AssumeRole'
    AND eventSource = 'sts.amazonaws.com'
    AND day BETWEEN 10 AND 18  -- adjust as needed
) 
 , iam_changes AS (
  SELECT
    eventTime AS actionTime,
    eventName,
    userIdentity.arn AS action_session_arn,
    requestParameters.roleName AS role_name_modified,
    sourceIPAddress AS action_ip
  FROM cloudtrail_logs
  WHERE eventSource = 'iam.amazonaws.com'
    AND eventName IN (
      'CreateRole', 'UpdateRole', 'DeleteRole',
      'AttachRolePolicy', 'DetachRolePolicy',
      'PutRolePolicy', 'DeleteRolePolicy'
    )
    AND day BETWEEN 10 AND 18  -- same range
)


SELECT
  ic.actionTime,
  ic.eventName,
  ic.role_name_modified,
  ic.action_session_arn,
  ar.caller_arn AS true_human_actor,
  ar.assumeTime,
  ar.assume_ip,
  ic.action_ip
FROM iam_changes ic
LEFT JOIN assume_role_events ar
  ON ic.action_session_arn = ar.assumed_session_arn
ORDER BY ic.actionTime DESC
LIMIT 100

-- source: https://github.com/rt1011/iamRoles/blob/f4b18c551322f0a436b6acaa7c4377bf7bff6a77/n.sql
WITH human_to_23622_session AS (
  SELECT 
    eventTime,
    userIdentity.arn AS human_actor,
    responseElements.assumedRoleUser.arn AS deployment_session_arn,
    sourceIPAddress
  FROM cloudtrail_logs
  WHERE day = '2025-06-04'
    AND eventName = 'AssumeRole'
    AND userIdentity.arn LIKE '%@epcuac%'  -- or other SSO login marker
    AND responseElements.assumedRoleUser.arn LIKE '%23622%'  -- session in security/automation account
),

-- Step 2: Find IAM changes made using that assumed session
iam_changes AS (
  SELECT 
    eventTime,
    eventName,
    userIdentity.arn AS actor_session,
    userIdentity.sessionContext.sessionIssuer.arn AS role_arn,
    sourceIPAddress,
    awsRegion,
    requestParameters.roleName AS modified_role,
    userIdentity.accountId AS target_account
  FROM cloudtrail_logs
  WHERE day = '2025-06-04'
    AND eventSource = 'iam.amazonaws.com'
    AND eventName IN (
      'CreateRole',
      'PutRolePolicy',
      'AttachRolePolicy',
      'DetachRolePolicy',
      'UpdateAssumeRolePolicy'
    )
)

-- Final: Join the IAM changes back to the original session
SELECT 
  iam.eventTime,
  iam.eventName,
  iam.modified_role,
  iam.target_account,
  iam.role_arn AS session_used,
  human.human_actor,
  human.sourceIPAddress AS human_ip,
  iam.sourceIPAddress AS action_ip
FROM iam_changes iam
JOIN human_to_23622_session human
  ON iam.actor_session = human.deployment_session_arn
ORDER BY iam.eventTime

-- source: https://github.com/rt1011/iamRoles/blob/f4b18c551322f0a436b6acaa7c4377bf7bff6a77/newQuery.sql
SELECT 
  eventTime,
  eventName,
  userIdentity.type AS identity_type,
  userIdentity.arn AS assumed_session_arn,
  userIdentity.sessionContext.sessionIssuer.arn AS role_arn_assumed,
  userIdentity.sessionContext.sessionIssuer.userName AS role_name_assumed,
  userIdentity.principalId AS assumed_by_principal,
  sourceIPAddress,
  userAgent
FROM cloudtrail_logs
WHERE eventSource = 'iam.amazonaws.com'
  AND eventName IN (
    'CreateRole', 'UpdateRole', 'DeleteRole',
    'PutRolePolicy', 'AttachRolePolicy', 'DetachRolePolicy'
  )
  AND year = '2025' AND month = '07'
ORDER BY eventTime DESC
LIMIT 100

-- source: https://github.com/rt1011/iamRoles/blob/f4b18c551322f0a436b6acaa7c4377bf7bff6a77/query.sql
WITH assumed_roles AS (
  SELECT
    from_iso8601_timestamp(eventTime) AS assume_time,
    REGEXP_EXTRACT(userIdentity.arn, 'assumed-role/([^/]+)', 1) AS role_name,
    REGEXP_EXTRACT(userIdentity.arn, 'assumed-role/[^/]+/([^"]+)', 1) AS session_name,
    userIdentity.arn AS assumed_role_arn
  FROM cloudtrail_logs
  WHERE eventName = 'AssumeRole'
    AND userIdentity.arn LIKE '%org%'
    AND day BETWEEN DATE '2025-06-10' AND DATE '2025-06-11'
),

cloudformation_events AS (
  SELECT
    from_iso8601_timestamp(eventTime) AS event_time,
    userIdentity.sessionContext.sessionIssuer.arn AS role_arn,
    REGEXP_EXTRACT(userIdentity.arn, 'assumed-role/[^/]+/([^"]+)', 1) AS session_name,
    eventName,
    json_extract_scalar(requestParameters, '$.roleName') AS iam_resource_modified
  FROM cloudtrail_logs
  WHERE eventSource = 'iam.amazonaws.com'
    AND userAgent LIKE 'cloudformation.amazonaws.com%'
    AND eventName IN (
      'CreateRole', 'UpdateRole', 'DeleteRole',
      'AttachRolePolicy', 'DetachRolePolicy',
      'PutRolePolicy', 'DeleteRolePolicy',
      'CreateUser', 'UpdateUser', 'DeleteUser',
      'CreatePolicy', 'DeletePolicy',
      'CreateGroup', 'UpdateGroup', 'DeleteGroup',
      'AddUserToGroup', 'RemoveUserFromGroup'
    )
    AND from_iso8601_timestamp(eventTime) >= current_date - INTERVAL '15' DAY
)

SELECT
  c.event_time,
  a.session_name AS real_user,
  c.session_name,
  c.eventName,
  c.iam_resource_modified,
  c.role_arn
FROM cloudformation_events c
JOIN assumed_roles a
  ON c.session_name = a.session_name
  AND c.session_name LIKE CONCAT('%', a.role_name, '%')
  AND c.event_time BETWEEN a.assume_time AND a.assume_time + INTERVAL '60' MINUTE
ORDER BY c.event_time DESC
LIMIT 100

-- source: https://github.com/rt1011/iamRoles/blob/f4b18c551322f0a436b6acaa7c4377bf7bff6a77/updatedSQL.sql
WITH assumed_roles AS (
  SELECT 
    responseElements.assumedRoleUser.arn AS session_arn,
    userIdentity.arn AS human_actor
  FROM cloudtrail_logs
  WHERE eventName = 'AssumeRole'
    AND day BETWEEN '2025/06/04' AND '2025/06/04'
),

iam_creations AS (
  SELECT 
    userIdentity.arn AS acting_session_arn,
    eventName,
    eventTime,
    accountId
  FROM cloudtrail_logs
  WHERE eventsource = 'iam.amazonaws.com'
    AND eventname IN (
        'CreateRole', 'CreateUser', 'CreatePolicy', 'CreateGroup',
        'PutRolePolicy', 'PutUserPolicy', 'PutGroupPolicy',
        'AttachRolePolicy', 'AttachUserPolicy', 'AttachGroupPolicy'
    )
    AND day BETWEEN '2025/06/04' AND '2025/06/04'
)

SELECT 
  i.eventTime,
  i.eventName,
  i.acting_session_arn,
  a.session_arn,
  a.human_actor
FROM iam_creations i
LEFT JOIN assumed_roles a
  ON i.acting_session_arn LIKE CONCAT('%', a.session_arn)
ORDER BY i.eventTime DESC
LIMIT 50

-- source: https://github.com/yanzhoushow/aws_incident_responder/blob/7ba5cfa380dbb67fe3e35fd4e874b459b5ce3c96/README.md
SELECT eventname AS event_name,
           count(*) AS event_count
    FROM cloudtrail_logs
    GROUP BY eventname
    ORDER BY event_count DESC

-- source: https://github.com/yanzhoushow/aws_incident_responder/blob/7ba5cfa380dbb67fe3e35fd4e874b459b5ce3c96/README.md
SELECT count(*)*100.0/(SELECT count(*) FROM cloudtrail_logs) AS event_error_percentage
    FROM cloudtrail_logs
    WHERE errorcode IS NOT NULL

-- source: https://github.com/yanzhoushow/aws_incident_responder/blob/7ba5cfa380dbb67fe3e35fd4e874b459b5ce3c96/README.md
WITH events AS 
      (SELECT useridentity.accountid AS account_id,
              min(eventtime) OVER (PARTITION BY useridentity.accountid) AS min_event_timestamp, 
              max(eventtime) OVER (PARTITION BY useridentity.accountid) AS max_event_timestamp, 
              count(*) OVER (PARTITION BY useridentity.accountid) AS event_count
      FROM cloudtrail_logs
      WHERE useridentity.accountid IS NOT NULL)
    SELECT DISTINCT account_id,
          DATE_DIFF('second', from_iso8601_timestamp(min_event_timestamp), from_iso8601_timestamp(max_event_timestamp))*1.0/(event_count-1) AS mean_interval_in_second
    FROM events

-- source: https://github.com/kaldurjoy/TuK-cloudtrail-athena/blob/3bd595e1f591a1ca21f4685102a6884fe9344cf9/starter.sql
SELECT eventtime, useridentity.arn, sourceipaddress
FROM cloudtrail_logs
WHERE region='us-east-1'
  AND year = date_format(current_date, '%Y')
  AND month = date_format(current_date, '%m')
  AND day = date_format(current_date, '%d')
  AND eventname='ConsoleLogin'
ORDER BY from_iso8601_timestamp(eventtime) DESC
LIMIT 50

-- source: https://github.com/kaldurjoy/TuK-cloudtrail-athena/blob/3bd595e1f591a1ca21f4685102a6884fe9344cf9/starter.sql
SELECT eventtime, useridentity.arn, requestparameters
FROM cloudtrail_logs
WHERE region='us-east-1'
  AND year = date_format(current_date, '%Y')
  AND month = date_format(current_date, '%m')
  AND day = date_format(current_date, '%d')
  AND eventsource='s3.amazonaws.com' AND eventname='PutObject'
ORDER BY from_iso8601_timestamp(eventtime) DESC
LIMIT 50

-- source: https://github.com/kaldurjoy/TuK-cloudtrail-athena/blob/3bd595e1f591a1ca21f4685102a6884fe9344cf9/starter.sql
SELECT eventsource, count(*) AS events
FROM cloudtrail_logs
WHERE from_iso8601_timestamp(eventtime) >= current_timestamp - interval '7' day
GROUP BY eventsource
ORDER BY events DESC

-- source: https://github.com/kaldurjoy/TuK-cloudtrail-athena/blob/3bd595e1f591a1ca21f4685102a6884fe9344cf9/README.md
SELECT count(*)
FROM cloudtrail_logs
WHERE region='us-east-1'
  AND year = date_format(current_date, '%Y')
  AND month = date_format(current_date, '%m')
  AND day = date_format(current_date, '%d')

-- source: https://github.com/OneUptime/blog/blob/6276c404e024998faa3ab1c7c9ea64495bfe6455/posts/2026-02-12-query-cloudtrail-logs-athena/README.md
SELECT
    eventTime,
    userIdentity.userName,
    sourceIPAddress,
    userIdentity.arn,
    responseElements
FROM cloudtrail_logs
WHERE eventName = 'ConsoleLogin'
    AND additionalEventData LIKE '%"MFAUsed":"No"%'
ORDER BY eventTime DESC
LIMIT 100

-- source: https://github.com/OneUptime/blog/blob/6276c404e024998faa3ab1c7c9ea64495bfe6455/posts/2026-02-12-query-cloudtrail-logs-athena/README.md
SELECT
    userIdentity.accessKeyId,
    userIdentity.arn,
    sourceIPAddress,
    COUNT(*) AS request_count,
    MIN(eventTime) AS first_seen,
    MAX(eventTime) AS last_seen
FROM cloudtrail_logs
WHERE userIdentity.accessKeyId IS NOT NULL
    AND eventTime >= '2026-02-01T00:00:00Z'
GROUP BY userIdentity.accessKeyId, userIdentity.arn, sourceIPAddress
ORDER BY request_count DESC
LIMIT 50

-- source: https://github.com/OneUptime/blog/blob/6276c404e024998faa3ab1c7c9ea64495bfe6455/posts/2026-02-12-query-cloudtrail-logs-athena/README.md
SELECT
    eventTime,
    userIdentity.arn AS who,
    eventName,
    awsRegion,
    requestParameters
FROM cloudtrail_logs
WHERE eventSource = 'ec2.amazonaws.com'
    AND eventName IN (
        'AuthorizeSecurityGroupIngress',
        'AuthorizeSecurityGroupEgress',
        'RevokeSecurityGroupIngress',
        'RevokeSecurityGroupEgress',
        'CreateSecurityGroup',
        'DeleteSecurityGroup'
    )
ORDER BY eventTime DESC
LIMIT 100

-- source: https://github.com/OneUptime/blog/blob/6276c404e024998faa3ab1c7c9ea64495bfe6455/posts/2026-02-12-query-cloudtrail-logs-athena/README.md
SELECT
    userIdentity.arn,
    eventSource,
    eventName,
    errorCode,
    COUNT(*) AS error_count
FROM cloudtrail_logs
WHERE errorCode IN ('AccessDenied', 'UnauthorizedAccess', 'Client.UnauthorizedAccess')
    AND eventTime >= '2026-02-01T00:00:00Z'
GROUP BY userIdentity.arn, eventSource, eventName, errorCode
HAVING COUNT(*) > 10
ORDER BY error_count DESC

-- source: https://github.com/OneUptime/blog/blob/6276c404e024998faa3ab1c7c9ea64495bfe6455/posts/2026-02-12-query-cloudtrail-logs-athena/README.md
SELECT
    eventTime,
    eventName,
    eventSource,
    sourceIPAddress,
    userAgent,
    errorCode
FROM cloudtrail_logs
WHERE userIdentity.type = 'Root'
    AND userIdentity.invokedBy IS NULL
    AND eventType != 'AwsServiceEvent'
ORDER BY eventTime DESC

-- source: https://github.com/OneUptime/blog/blob/6276c404e024998faa3ab1c7c9ea64495bfe6455/posts/2026-02-12-query-cloudtrail-logs-athena/README.md
SELECT userIdentity.arn, COUNT(*) as errors
FROM cloudtrail_logs
WHERE errorCode = 'AccessDenied'
  AND eventTime >= date_format(date_add('day', -1, now()), '%Y-%m-%dT%H:%i:%sZ')
GROUP BY userIdentity.arn
HAVING COUNT(*) > 50

-- source: https://github.com/awsdocs/amazon-s3-userguide/blob/cc53dd6a44d3aa1d654e6d3705a0a7550f20fd2a/doc_source/cloudtrail-request-identification.md
SELECT * FROM cloudtrail_logs
   WHERE eventsource='s3.amazonaws.com'
   LIMIT 2

-- source: https://github.com/awsdocs/amazon-s3-userguide/blob/cc53dd6a44d3aa1d654e6d3705a0a7550f20fd2a/doc_source/cloudtrail-request-identification.md
SELECT EventTime, EventName as S3_Action, requestParameters as Request_Parameters, awsregion as AWS_Region, sourceipaddress as Source_IP, useragent as User_Agent
FROM cloudtrail_logs
WHERE eventsource='s3.amazonaws.com'
AND json_extract_scalar(additionalEventData, '$.SignatureVersion')='SigV2'
LIMIT 10

-- source: https://github.com/awsdocs/amazon-s3-userguide/blob/cc53dd6a44d3aa1d654e6d3705a0a7550f20fd2a/doc_source/cloudtrail-request-identification.md
SELECT useridentity.arn, Count(requestid) as RequestCount
FROM cloudtrail_logs
WHERE eventsource='s3.amazonaws.com'
    and json_extract_scalar(additionalEventData, '$.SignatureVersion')='SigV2'
Group by useridentity.arn

-- source: https://github.com/awsdocs/amazon-s3-userguide/blob/cc53dd6a44d3aa1d654e6d3705a0a7550f20fd2a/doc_source/cloudtrail-request-identification.md
SELECT useridentity.arn,
Count(requestid) AS RequestCount
FROM cloudtrail_logs
WHERE eventsource='s3.amazonaws.com'
AND json_extract_scalar(additionalEventData, '$.SignatureVersion')='SigV2'
AND region='us-east-1'
AND year='2019'
AND month='02'
AND day='19'
Group by useridentity.arn

-- source: https://github.com/awsdocs/amazon-s3-userguide/blob/cc53dd6a44d3aa1d654e6d3705a0a7550f20fd2a/doc_source/cloudtrail-request-identification.md
SELECT
  eventTime, 
  eventName, 
  eventSource, 
  sourceIpAddress, 
  userAgent, 
  json_extract_scalar(requestParameters, '$.bucketName') as bucketName, 
  json_extract_scalar(requestParameters, '$.key') as object,
  userIdentity.arn as userArn
FROM
  cloudtrail_logs
WHERE
  eventName = 'PutObject'
  AND eventTime BETWEEN '2019-07-05T00:00:00Z' and '2019-07-06T00:00:00Z'

-- source: https://github.com/awsdocs/amazon-s3-userguide/blob/cc53dd6a44d3aa1d654e6d3705a0a7550f20fd2a/doc_source/cloudtrail-request-identification.md
SELECT
  eventTime, 
  eventName, 
  eventSource, 
  sourceIpAddress, 
  userAgent, 
  json_extract_scalar(requestParameters, '$.bucketName') as bucketName, 
  json_extract_scalar(requestParameters, '$.key') as object,
  userIdentity.arn as userArn
FROM
  cloudtrail_logs
WHERE
  eventName = 'GetObject'
  AND eventTime BETWEEN '2019-07-05T00:00:00Z' and '2019-07-06T00:00:00Z'

-- source: https://github.com/awsdocs/amazon-s3-userguide/blob/cc53dd6a44d3aa1d654e6d3705a0a7550f20fd2a/doc_source/cloudtrail-request-identification.md
SELECT
  eventTime, 
  eventName, 
  eventSource, 
  sourceIpAddress, 
  userAgent, 
  json_extract_scalar(requestParameters, '$.bucketName') as bucketName, 
  userIdentity.arn as userArn,
  userIdentity.accountId
FROM
  cloudtrail_logs
WHERE
  userIdentity.accountId = 'anonymous'
  AND eventTime BETWEEN '2019-07-05T00:00:00Z' and '2019-07-06T00:00:00Z'

-- source: https://github.com/awsdocs/amazon-s3-userguide/blob/cc53dd6a44d3aa1d654e6d3705a0a7550f20fd2a/doc_source/cloudtrail-request-identification.md
SELECT
  eventTime, 
  eventName, 
  eventSource, 
  sourceIpAddress, 
  userAgent, 
  userIdentity.arn as userArn,
  json_extract_scalar(requestParameters, '$.bucketName') as bucketName,
  json_extract_scalar(requestParameters, '$.key') as object,
  json_extract_scalar(additionalEventData, '$.aclRequired') as aclRequired
FROM 
  cloudtrail_logs
WHERE
  json_extract_scalar(additionalEventData, '$.aclRequired') = 'Yes'
  AND eventTime BETWEEN '2022-05-10T00:00:00Z' and '2022-08-10T00:00:00Z'

-- source: https://github.com/aws-samples/amazon-quicksight-sdk-proserve/blob/bf933b4f06f63fd5873bfd861a7dd4821b886471/Admin_Console/DDL_getdashboard.sql
-- adapted: the SELECT of the file's CREATE VIEW, without the view
SELECT 
"useridentity"."type",   "split_part"("useridentity"."sessioncontext"."sessionissuer"."arn",'/', 2) AS "assumed_role", COALESCE("useridentity"."username","concat"("split_part"("userid
entity"."arn", '/', 2), '/', "split_part"("useridentity"."arn",
'/', 3))) AS "user_name",
awsregion,
"split_part"("split_part"("serviceeventdetails", 'dashboardName":', 2),',', 1) AS dashboard_name, "split_part"("split_part"("split_part"("split_part"("serviceeventdetails", 'dashboardId":', 2),',', 1), 'dashboard/', 2),'"}',1) AS dashboardId,
date_parse(eventtime, '%Y-%m-%dT%H:%i:%sZ') AS event_time, max(date_parse(eventtime, '%Y-%m-%dT%H:%i:%sZ')) AS latest_event_time
FROM cloudtrail_logs
WHERE 
eventsource = 'quicksight.amazonaws.com' 
AND
eventname = 'GetDashboard' 
AND
DATE_TRUNC('day',date_parse(eventtime, '%Y-%m-%dT%H:%i:%sZ')) > cast(current_date - interval '3' month AS date)
GROUP BY  1,2,3,4,5,6,7

-- source: https://github.com/juandesant/YANOTECH/blob/4eb6cc8617dd761178a0acc21430c43e5d611ead/_drafts/2019-03-27-athena-cloudtrail-links-experiments.markdown
SELECT uarn,
         eventname,
         sourceipaddress,
         eventtime,
         resources[1].arn as res_arn
FROM 
    (SELECT useridentity.arn AS uarn,
         eventname,
         sourceipaddress,
         eventtime,
         resources
    FROM cloudtrail_logs
    WHERE readonly = 'false'
            AND cardinality(resources) >= 1 ) AS t 
WHERE resources[1].arn like '%resource_id%'
LIMIT 100

-- source: https://github.com/pradeepkumarjse/DevOps/blob/35bda87185a378d52c07df79fa499e02aaeea41f/aws/cloudtrail/query_to_find_source_ip.sql
SELECT	
   DISTINCT requestParameters['bucketName'],eventTime,eventSource,eventName,	
sourceIPAddress,recipientAccountId
FROM
    cloudtrail_logs
    WHERE eventSource = 's3.amazonaws.com' AND 	
userIdentity.accountid = '' 
 AND element_at(requestParameters, 'bucketName') IS NOT NULL
    AND element_at(requestParameters, 'bucketName') IN ('', '', '', '', '', '', '', '') AND
    eventName IS NOT NULL AND eventName IN ('PutObject','GetObject')
    AND
eventTime > '2024-04-19 22:00:22.000'

-- source: https://github.com/duo-labs/cloudtrail-partitioner/blob/3e6019423ba57cac1a1501fb6fb5e7fab3231a6c/README.md
SELECT useridentity.arn, errorcode, count(*) AS count
FROM cloudtrail
WHERE region = 'us-east-1' AND year = '2019' AND month = '09' AND day = '19' 
  AND errorcode != '' 
GROUP BY errorcode, useridentity.arn 
ORDER BY count DESC
LIMIT 50

-- source: https://www.mindmeshacademy.com/certifications/aws/aws-certified-devops-engineer-professional/study-guide/3-4-3-7-analyzing-logs-metrics-and-security-findings
SELECT eventtime, eventsource, eventname, sourceipaddress, errorcode
FROM cloudtrail_logs
WHERE useridentity.arn LIKE '%compromised-user%'
AND eventtime > '2025-01-15'
ORDER BY eventtime DESC

-- source: https://www.mindmeshacademy.com/certifications/aws/aws-certified-devops-engineer-professional/study-guide/3-4-3-7-analyzing-logs-metrics-and-security-findings
SELECT eventtime, useridentity.arn, requestparameters
FROM cloudtrail_logs
WHERE eventsource = 'ec2.amazonaws.com'
AND eventname IN ('AuthorizeSecurityGroupIngress','RevokeSecurityGroupIngress')
AND eventtime > current_timestamp - interval '24' hour

-- source: https://www.coddykit.com/courses/aws_certified_security/investigating-incidents-with-sql-queries-10250292
SELECT eventtime, eventname, sourceipaddress
FROM cloudtrail_logs
WHERE useridentity.accesskeyid = 'AKIAEXAMPLE'
ORDER BY eventtime
