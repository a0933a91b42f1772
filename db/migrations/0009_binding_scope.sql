ALTER TABLE `channel_bindings` ADD `application_nos` text;--> statement-breakpoint
-- Scopes the chat kept in chat_conversations.state ({dialogue, scopes}) for SMS numbers and WeChat contacts move to
-- their bindings, the one place kept from now on; bindings without one stay NULL (read as the latest phone's).
UPDATE `channel_bindings` SET `application_nos` = (SELECT json_extract(c.`state`, '$.scopes."' || `channel_bindings`.`account_no` || '"') FROM `chat_conversations` c WHERE c.`channel` = `channel_bindings`.`channel` AND c.`address` = `channel_bindings`.`address` AND json_valid(c.`state`) AND json_type(c.`state`, '$.scopes') = 'object') WHERE `application_nos` IS NULL;--> statement-breakpoint
UPDATE `chat_conversations` SET `state` = json_extract(`state`, '$.dialogue') WHERE `channel` IN ('sms', 'wechat') AND json_valid(`state`) AND json_type(`state`, '$.scopes') = 'object';
